"""Keywords per cluster by class-based TF-IDF (c-TF-IDF) over real words.

Japanese: janome nouns, verbs and adjectives (base forms), without particles and stop words; if
janome is unavailable, character bigrams. Other languages: lower-cased words without English stop
words.
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
    # German function words (the scoring set includes German public comments); harmless for English.
    german = {
        "aber",
        "alle",
        "allem",
        "allen",
        "aller",
        "alles",
        "als",
        "also",
        "am",
        "an",
        "auch",
        "auf",
        "aus",
        "bei",
        "beim",
        "bin",
        "bis",
        "bitte",
        "da",
        "damit",
        "dann",
        "das",
        "dass",
        "dem",
        "den",
        "denn",
        "der",
        "des",
        "dessen",
        "die",
        "dies",
        "diese",
        "diesem",
        "diesen",
        "dieser",
        "dieses",
        "doch",
        "dort",
        "durch",
        "ein",
        "eine",
        "einem",
        "einen",
        "einer",
        "eines",
        "es",
        "für",
        "gegen",
        "hat",
        "hatte",
        "habe",
        "haben",
        "hier",
        "ihr",
        "ihre",
        "im",
        "in",
        "ist",
        "ja",
        "jede",
        "jeder",
        "jedes",
        "kann",
        "kein",
        "keine",
        "können",
        "könnte",
        "man",
        "mehr",
        "mein",
        "meine",
        "mit",
        "muss",
        "müssen",
        "nach",
        "nicht",
        "noch",
        "nur",
        "ob",
        "oder",
        "ohne",
        "schon",
        "sehr",
        "sein",
        "seine",
        "sich",
        "sie",
        "sind",
        "so",
        "soll",
        "sollte",
        "sollten",
        "um",
        "und",
        "uns",
        "unser",
        "unsere",
        "unter",
        "viel",
        "vom",
        "von",
        "vor",
        "war",
        "waren",
        "was",
        "weil",
        "wenn",
        "wer",
        "werden",
        "wie",
        "wir",
        "wird",
        "wo",
        "würde",
        "zu",
        "zum",
        "zur",
        "über",
    }
    return frozenset(ENGLISH_STOP_WORDS) | extra | german


def tokens(text: str) -> list[str]:
    """Content words of a text (Japanese via janome, otherwise a word regex)."""
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
    stop = _english_stop_words()
    return [w for w in (m.lower() for m in _WORD.findall(text)) if len(w) > 2 and w not in stop]


MAX_TEXTS_PER_CLASS = 300


def ctfidf_keywords(texts: list[str], labels: np.ndarray, *, top: int = 8, seed: int = 0) -> dict[int, list[str]]:
    """Top words per cluster label (noise -1 ignored), by c-TF-IDF: tf(t, c) · log(1 + A / f(t)).

    At most MAX_TEXTS_PER_CLASS texts per cluster are tokenised (a fixed-seed sample): word
    frequencies are stable long before that, and Japanese tokenisation is the slow part.
    """
    labels = np.asarray(labels)
    classes = sorted({int(x) for x in labels} - {-1})
    counts = {c: Counter() for c in classes}
    rng = np.random.default_rng(seed)
    for c in classes:
        members = np.where(labels == c)[0]
        if len(members) > MAX_TEXTS_PER_CLASS:
            members = np.sort(rng.choice(members, MAX_TEXTS_PER_CLASS, replace=False))
        for index in members:
            counts[c].update(tokens(texts[index]))
    total = Counter()
    for counter in counts.values():
        total.update(counter)
    if not total:
        return {c: [] for c in classes}
    average_words = sum(total.values()) / max(1, len(classes))
    result = {}
    for c in classes:
        size = sum(counts[c].values()) or 1
        scored = [(count / size * np.log(1 + average_words / total[word]), word) for word, count in counts[c].items()]
        scored.sort(key=lambda pair: (-pair[0], pair[1]))
        result[c] = [word for _, word in scored[:top]]
    return result


def label_from_keywords(keywords: list[str], *, lang: str, count: int = 3) -> str:
    separator = "・" if lang == "ja" else ", "
    return separator.join(keywords[:count])
