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
    assert tokens("Der Spielplatz im Park ist alt und sollte erneuert werden") == [
        "spielplatz",
        "park",
        "alt",
        "erneuert",
    ]
