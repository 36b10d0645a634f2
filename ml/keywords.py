"""Keywords per cluster by class-based TF-IDF (c-TF-IDF) over real words.

Japanese: janome nouns, verbs and adjectives (base forms), without particles and stop words; if
janome is unavailable, character bigrams. English: lower-cased words without English stop words.
Other languages (German, ...): without English or German stop words (``ml/stopwords_de.py``).

Term frequencies are weighted by each text's centrality in its cluster when the caller has vectors
(``weights``): words of typical texts rank above words of outliers, and words that occur once in a
theme (most German compounds) are no longer ordered alphabetically.
"""

from __future__ import annotations

import functools
import re
from collections import Counter

import numpy as np

from ml.text import is_japanese

_WORD = re.compile(r"[^\W\d_][\w'-]*[^\W_]|[^\W\d_]", re.UNICODE)
JA_STOP = frozenset(
    [
        "する",
        "ある",
        "いる",
        "なる",
        "れる",
        "られる",
        "こと",
        "もの",
        "ため",
        "よう",
        "ほしい",
        "欲しい",
        "ない",
        "ください",
        "くださる",
        "思う",
        "できる",
        "おる",
        "いう",
        "私",
        "ここ",
        "それ",
        "これ",
        "さん",
        "的",
        "化",
        "等",
        "人",
        "方",
        "時",
        "中",
        "上",
        "下",
        "前",
        "後",
        "もっと",
        "とても",
        "市",
        "お願い",
        "願う",
        "ほう",
        "くれる",
        "いただく",
        "せる",
        "させる",
        "やすい",
        "にくい",
    ]
)
JA_POS = ("名詞", "動詞", "形容詞")
JA_SKIP_SUBPOS = ("非自立", "代名詞", "数", "接尾", "副詞可能")


@functools.lru_cache(maxsize=1)
def _janome():
    try:
        from janome.tokenizer import Tokenizer
    except ImportError:  # pragma: no cover - janome is a dependency
        return None
    return Tokenizer()


@functools.lru_cache(maxsize=1)
def _english_stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    extra = {
        "please",
        "want",
        "need",
        "needs",
        "make",
        "like",
        "would",
        "should",
        "could",
        "let",
        "lets",
        "us",
        "city",
        "add",
        "more",
        "too",
        "also",
        "really",
        "just",
        "get",
        "use",
        "one",
        "new",
        "much",
        "many",
    }
    return frozenset(ENGLISH_STOP_WORDS) | extra


@functools.lru_cache(maxsize=1)
def _other_stop_words() -> frozenset[str]:
    from ml.stopwords_de import DE_STOP

    return _english_stop_words() | DE_STOP


def tokens(text: str, lang: str = "en") -> list[str]:
    """Content words of a text (Japanese via janome, otherwise a word regex without the stop words of
    ``lang``: English for "en", English and German for any other language)."""
    if is_japanese(text):
        tokenizer = _janome()
        if tokenizer is None:
            return [text[i : i + 2] for i in range(max(0, len(text) - 1))]
        words = []
        for token in tokenizer.tokenize(text):
            parts = token.part_of_speech.split(",")
            if parts[0] not in JA_POS or parts[1] in JA_SKIP_SUBPOS:
                continue
            base = token.base_form if token.base_form != "*" else token.surface
            if len(base) < 2 and not re.match(r"[\u4e00-\u9fff]", base):
                continue
            if base in JA_STOP:
                continue
            words.append(base.lower())
        # English words inside Japanese text (Wi-Fi, IC) count too.
        return words
    stop = _english_stop_words() if lang == "en" else _other_stop_words()
    return [w for w in (m.lower() for m in _WORD.findall(text)) if len(w) > 2 and w not in stop]


MAX_TEXTS_PER_CLASS = 300


def ctfidf_keywords(
    texts: list[str],
    labels: np.ndarray,
    *,
    top: int = 8,
    seed: int = 0,
    lang: str = "en",
    weights: np.ndarray | None = None,
) -> dict[int, list[str]]:
    """Top words per cluster label (noise -1 ignored), by c-TF-IDF: tf(t, c) · log(1 + A / f(t)).

    ``weights`` (one per text, e.g. the cosine with its cluster's centre) weight each text's words in
    tf(t, c); without them every text counts 1. Ties go to words used by more texts of the cluster.
    At most MAX_TEXTS_PER_CLASS texts per cluster are tokenised (a fixed-seed sample): word
    frequencies are stable long before that, and Japanese tokenisation is the slow part.
    """
    labels = np.asarray(labels)
    classes = sorted({int(x) for x in labels} - {-1})
    counts = {c: Counter() for c in classes}  # weighted term frequency per class
    spread = {c: Counter() for c in classes}  # texts of the class that use the word
    total = Counter()  # unweighted, for f(t)
    rng = np.random.default_rng(seed)
    for c in classes:
        members = np.where(labels == c)[0]
        if len(members) > MAX_TEXTS_PER_CLASS:
            members = np.sort(rng.choice(members, MAX_TEXTS_PER_CLASS, replace=False))
        for index in members:
            words = tokens(texts[index], lang)
            weight = 1.0 if weights is None else max(float(weights[index]), 1e-3)
            for word, count in Counter(words).items():
                counts[c][word] += weight * count
                spread[c][word] += 1
                total[word] += count
    if not total:
        return {c: [] for c in classes}
    average_words = sum(total.values()) / max(1, len(classes))
    result = {}
    for c in classes:
        size = sum(counts[c].values()) or 1
        scored = [
            (count / size * np.log(1 + average_words / total[word]), spread[c][word], word)
            for word, count in counts[c].items()
        ]
        scored.sort(key=lambda item: (-round(item[0], 12), -item[1], item[2]))
        result[c] = [word for _, _, word in scored[:top]]
    return result


def label_from_keywords(keywords: list[str], *, lang: str, count: int = 3) -> str:
    separator = "・" if lang == "ja" else ", "
    return separator.join(keywords[:count])
