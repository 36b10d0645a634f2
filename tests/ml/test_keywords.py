import numpy as np

from ml.keywords import ctfidf_keywords, label_from_keywords, tokens


def test_japanese_tokens_are_content_words():
    words = tokens("公園の遊具が古くなっているので新しくしてほしい")
    assert "公園" in words and "遊具" in words
    assert "の" not in words and "ほしい" not in words


def test_english_stop_words_removed():
    assert tokens("Please make the park toilets cleaner") == ["park", "toilets", "cleaner"]


def test_ctfidf_prefers_distinctive_words():
    texts = ["公園の遊具", "公園のベンチ", "公園の木陰", "バスの本数", "バス停の屋根", "バスの時刻表"]
    labels = np.array([0, 0, 0, 1, 1, 1])
    keywords = ctfidf_keywords(texts, labels)
    assert keywords[0][0] == "公園"
    assert keywords[1][0] == "バス"
    assert label_from_keywords(["公園", "遊具"], lang="ja") == "公園・遊具"
    assert label_from_keywords(["park", "swing"], lang="en") == "park, swing"


def test_noise_is_ignored():
    keywords = ctfidf_keywords(["a park", "the bus stop"], np.array([0, -1]))
    assert list(keywords) == [0]


def test_german_function_words_are_not_keywords():
    assert tokens("Der Spielplatz im Park ist immer noch alt und sollte erneuert werden", "other") == [
        "spielplatz",
        "park",
        "alt",
        "erneuert",
    ]


def test_german_stop_words_never_touch_english():
    # "bin", "die", "will" are German function words and English content words.
    assert tokens("Put a bin by the bus stop, the old one will die soon", "en") == ["bin", "bus", "stop", "old", "die", "soon"]


def test_central_texts_win_ties():
    """Words that occur once in a theme (most German compounds) are ordered by how typical their text is,
    not alphabetically."""
    texts = ["Altpapier abholen", "Zebrastreifen fehlt", "Biotonne stinkt", "Biotonne leeren"]
    labels = np.array([0, 0, 1, 1])
    plain = ctfidf_keywords(texts, labels, lang="other")
    assert plain[0][:2] == ["abholen", "altpapier"]  # alphabetical: nothing else to go by
    weighted = ctfidf_keywords(texts, labels, lang="other", weights=np.array([0.2, 0.9, 0.8, 0.8]))
    assert weighted[0][:2] == ["fehlt", "zebrastreifen"]
    assert weighted[1][0] == "biotonne"  # used by both texts of its theme
