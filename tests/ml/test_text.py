from ml.text import detect_language, is_japanese, normalise, text_hash


def test_normalise_nfkc_urls_and_spaces():
    assert normalise("  ＡＢＣ　１２３ ｶﾞ  https://example.jp/x  end ") == "ABC 123 ガ end"


def test_text_hash_is_stable_sha256():
    assert text_hash("公園") == text_hash(normalise(" 公園 "))
    assert len(text_hash("x")) == 64


def test_language_detection():
    assert is_japanese("公園に遊具を")
    assert not is_japanese("Parks need benches")
    assert detect_language(["公園がほしい", "バスを増やして", "library"]) == "ja"
    assert detect_language(["The buses are late and the park is dirty"]) == "en"
    assert detect_language(["Der Spielplatz im Park ist alt", "Bitte mehr Busse am Abend"]) == "other"
    assert detect_language([]) == "en"
