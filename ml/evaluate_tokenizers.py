"""Japanese tokenizers for keywords, measured: ``python -m ml.evaluate_tokenizers``.

Compares janome (IPADIC, the dependency in use) with SudachiPy + SudachiDict-core (modes C and B) and
fugashi + unidic-lite, each feeding the same compound-noun step (``ml.keywords.compound_nouns``; UniDic
parts of speech are mapped to the IPADIC categories it reads). SudachiPy and fugashi are *not*
dependencies of the project: install them by hand to measure (``pip install sudachipy sudachidict-core
fugashi unidic-lite``); missing ones are skipped.

Printed per tokenizer: load time, texts per second through the compound-noun step, the share of
single-character nouns the tokenizer emits (what a plain noun tokenizer would have put into labels),
and the **fragment share**: keywords glued to a single kanji in every place they occur (「染」 of 除染,
「休館」 of 休館日) — the kind of label issue 16 found on real comments.
"""

from __future__ import annotations

import csv
import re
import time
from pathlib import Path

from ml.keywords import _KANJI, _janome, compound_nouns

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "ml" / "fixtures"
FILES = ("opinions_ja.csv", "long_comments_ja.csv", "duplicates_ja.csv", "sentiment_ja.csv", "sentiment_test_ja.csv")
PROBE = (
    "中間貯蔵施設への除染土壌の搬入と、汚染された土の再生利用に反対します。"
    "最終便の時刻と運賃無料の高齢者パス、コミュニティバスと病児保育、資源ごみの回収。"
)


class _Token:
    def __init__(self, surface: str, part_of_speech: str):
        self.surface, self.part_of_speech = surface, part_of_speech


def unidic_to_ipadic(pos1: str, pos2: str, pos3: str) -> str:
    """UniDic part of speech → the IPADIC categories ``compound_nouns`` reads."""
    if pos1 == "名詞":
        if pos2 == "数詞":
            return "名詞,数"
        if pos3 == "副詞可能":
            return "名詞,副詞可能"
        if pos2 == "助動詞語幹":
            return "名詞,非自立"
        return "名詞,一般"
    if pos1 == "代名詞":
        return "名詞,代名詞"
    if pos1 == "接尾辞" and pos2 == "名詞的":
        return "名詞,接尾"
    if pos1 == "接頭辞":
        return "接頭詞,名詞接続"
    return f"{pos1},{pos2}"


def _sudachi(mode: str):
    from sudachipy import dictionary
    from sudachipy import tokenizer as sudachi_tokenizer

    tokenizer = dictionary.Dictionary(dict="core").create()
    split = getattr(sudachi_tokenizer.Tokenizer.SplitMode, mode)

    class Sudachi:
        def tokenize(self, text):
            for m in tokenizer.tokenize(text, split):
                pos = m.part_of_speech()
                yield _Token(m.surface(), unidic_to_ipadic(pos[0], pos[1], pos[2]))

    return Sudachi()


def _fugashi():
    import fugashi
    import unidic_lite

    tagger = fugashi.Tagger(f"-d {unidic_lite.DICDIR}")

    class Fugashi:
        def tokenize(self, text):
            for word in tagger(text):
                feature = word.feature
                yield _Token(word.surface, unidic_to_ipadic(feature.pos1, feature.pos2, feature.pos3))

    return Fugashi()


TOKENIZERS = {
    "janome 0.5.0 (IPADIC)": _janome,
    "SudachiPy + SudachiDict-core, mode C": lambda: _sudachi("C"),
    "SudachiPy + SudachiDict-core, mode B": lambda: _sudachi("B"),
    "fugashi + unidic-lite": _fugashi,
}


def is_fragment(word: str, text: str) -> bool:
    """True when every occurrence of ``word`` in ``text`` is glued to a single kanji before or after it."""
    starts = [m.start() for m in re.finditer(re.escape(word), text)]
    if not starts:
        return False
    for start in starts:
        end = start + len(word)
        before = text[start - 1] if start > 0 else ""
        after = text[end] if end < len(text) else ""
        glued_before = bool(before and _KANJI.match(before)) and not (start > 1 and _KANJI.match(text[start - 2]))
        glued_after = bool(after and _KANJI.match(after)) and not (end + 1 < len(text) and _KANJI.match(text[end + 1]))
        if not (glued_before or glued_after):
            return False
    return True


def japanese_texts() -> list[str]:
    texts = []
    for name in FILES:
        with open(FIXTURES / name, encoding="utf-8") as handle:
            texts += [row["text"] for row in csv.DictReader(handle) if row.get("text")]
    return texts


def main() -> None:
    texts = japanese_texts()
    print("| tokenizer | load s | texts/s | words | single-character nouns | fragment share | probe sentence |")
    print("|---|---|---|---|---|---|---|")
    for name, make in TOKENIZERS.items():
        try:
            started = time.perf_counter()
            tokenizer = make()
            list(tokenizer.tokenize("準備"))
            load = time.perf_counter() - started
        except ImportError:
            print(f"| {name} | not installed | | | | | |")
            continue
        started = time.perf_counter()
        words = [(text, compound_nouns(text, tokenizer)) for text in texts]
        elapsed = time.perf_counter() - started
        n_words = sum(len(found) for _, found in words)
        fragments = sum(is_fragment(word, text) for text, found in words for word in found)
        nouns = [t.surface for text in texts for t in tokenizer.tokenize(text) if t.part_of_speech.startswith("名詞")]
        single = sum(len(surface) == 1 for surface in nouns) / max(1, len(nouns))
        probe = "・".join(compound_nouns(PROBE, tokenizer))
        print(
            f"| {name} | {load:.2f} | {len(texts) / elapsed:.0f} | {n_words} | {single:.3f} | "
            f"{fragments / max(1, n_words):.4f} | {probe} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
