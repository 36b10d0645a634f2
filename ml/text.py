"""Text normalisation and language detection (pure functions)."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_SPACE = re.compile(r"\s+")
_URL = re.compile(r"https?://\S+")
# Hiragana, katakana, CJK ideographs (incl. extension A) and half-width katakana.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]")
_LATIN = re.compile(r"[A-Za-z]")


def normalise(text: str) -> str:
    """NFKC (full-width ASCII → half-width, half-width kana → full-width), no URLs, one space between words."""
    text = unicodedata.normalize("NFKC", text or "")
    text = _URL.sub(" ", text)
    return _SPACE.sub(" ", text).strip()


def normalise_lines(text: str) -> str:
    """As :func:`normalise`, but line breaks stay (one per non-empty line): a title line and the body
    below it are separate sentences for ml.units."""
    text = _URL.sub(" ", unicodedata.normalize("NFKC", text or ""))
    lines = (_SPACE.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def natural_key(value: object) -> tuple:
    """Sort key in natural order: 「第2地区」 before 「第10地区」, 20代 before 100代, c2 before c10, and integer ids
    by number."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", str(value)) if part
    )


def text_hash(normalised_text: str) -> str:
    return hashlib.sha256(normalised_text.encode("utf-8")).hexdigest()


def is_japanese(text: str) -> bool:
    cjk = len(_CJK.findall(text))
    latin = len(_LATIN.findall(text))
    return cjk > 0 and cjk * 3 >= latin


def text_language(text: str, lang: str) -> str:
    """The language whose rules fit one ``text`` of an analysis in ``lang`` (sentence ends, title and quote
    lengths): Japanese for a mostly Japanese text, else the analysis's language — English in a Japanese one
    (English comments imported into a Japanese consultation are cut at sentence ends, not at spaces)."""
    if is_japanese(text):
        return "ja"
    return "en" if lang == "ja" else lang


_EN_COMMON = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "for",
        "is",
        "are",
        "be",
        "it",
        "this",
        "that",
        "with",
        "at",
        "by",
        "from",
        "as",
        "not",
        "we",
        "our",
        "you",
        "your",
        "they",
        "there",
        "should",
        "please",
        "more",
        "can",
        "will",
        "would",
        "have",
        "has",
    ]
)
_WORDS = re.compile(r"[A-Za-z']+")


def detect_language(texts: list[str]) -> str:
    """'ja' when at least a third of the texts are mostly Japanese; 'en' when common English words make
    up a good share of the words; otherwise 'other' (German, Spanish ... → the multilingual model)."""
    if not texts:
        return "en"
    japanese = sum(1 for t in texts if is_japanese(t))
    if japanese * 3 >= len(texts):
        return "ja"
    words = [w.lower() for t in texts[:2000] for w in _WORDS.findall(t)]
    if not words:
        return "other"
    english = sum(1 for w in words if w in _EN_COMMON)
    return "en" if english / len(words) >= 0.12 else "other"
