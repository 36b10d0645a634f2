import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from ml.cluster import cluster, default_k_range, project_2d, representatives, subcluster


def blobs(k=4, per=30, dim=16, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(k, dim)) * 5
    points = np.vstack([c + rng.normal(size=(per, dim)) for c in centres])
    labels = np.repeat(np.arange(k), per)
    return points / np.linalg.norm(points, axis=1, keepdims=True), labels


def test_picks_k_itself_on_planted_clusters():
    points, truth = blobs(k=5)
    result = cluster(points, seed=0)
    assert result.k == 5
    assert adjusted_rand_score(truth, result.labels) > 0.95
    assert set(result.scores) == set(default_k_range(len(points)))


def test_k_is_the_silhouettes_inner_peak_when_it_is_flat():
    """Real German cycling comments: the silhouette is highest at the smallest k tried and flat after it
    (×1000: 27.5 at k = 3, 24.7-26.8 up to 11); three themes for 800 comments was the worst partition."""
    from ml.cluster import best_k

    german = {3: 27.5, 4: 26.4, 5: 24.7, 6: 25.5, 7: 25.9, 8: 26.8, 9: 24.8, 10: 26.0, 11: 26.0, 12: 23.6}
    assert best_k(german) == 8  # the best inner peak, 2.5 % below k = 3
    # Three clear themes: k = 3 is far above any bump further on, and stays.
    assert best_k({3: 0.12, 4: 0.07, 5: 0.06, 6: 0.065, 7: 0.05}) == 3
    # A clear inner best is kept; so is a best at the top of the range with no peak before it.
    assert best_k({3: 0.05, 4: 0.06, 5: 0.08, 6: 0.07, 7: 0.068, 8: 0.069, 9: 0.05}) == 5
    assert best_k({3: 0.02, 4: 0.03, 5: 0.04}) == 5
    # Two candidates have no inner k; equal scores take the smaller k; negative silhouettes work too.
    assert best_k({2: 0.1, 3: 0.1}) == 2
    assert best_k({3: -0.010, 4: -0.0105, 5: -0.0104, 6: -0.02}) == 5


def test_fixed_k_and_determinism():
    points, _ = blobs(k=3)
    a = cluster(points, k=6, seed=3, min_size=1)
    b = cluster(points, k=6, seed=3, min_size=1)
    assert a.k == 6
    assert (a.labels == b.labels).all()


def test_labels_are_ordered_by_size_and_small_clusters_are_noise():
    points, _ = blobs(k=3, per=30)
    outlier = np.zeros((1, points.shape[1]))
    outlier[0, 0] = -1
    result = cluster(np.vstack([points, outlier]), k=4, seed=0, min_size=2)
    sizes = [int((result.labels == c).sum()) for c in range(result.k)]
    assert sizes == sorted(sizes, reverse=True)
    assert result.labels[-1] == -1


def test_tiny_inputs():
    assert cluster(np.zeros((0, 3))).k == 0
    assert list(cluster(np.eye(2)).labels) == [0, 0]


def test_representatives_are_central_and_diverse():
    rng = np.random.default_rng(0)
    centre = np.array([1.0, 0, 0])
    near = centre + rng.normal(scale=0.5, size=(10, 3))
    duplicate = np.vstack([near[0]] * 5)
    points = np.vstack([near, duplicate])
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    reps = representatives(points, np.arange(len(points)), count=4)
    assert len(reps) == 4 and len(set(reps)) == 4
    # The five exact duplicates never fill the list.
    assert sum(1 for r in reps if r >= 10 or r == 0) <= 2


def test_subclusters_and_projection():
    points, truth = blobs(k=2, per=40)
    labels = np.zeros(len(points), dtype=int)
    sub = subcluster(points, labels, seed=0)
    assert adjusted_rand_score(truth, sub) > 0.9
    coords = project_2d(points)
    assert coords.shape == (80, 2) and np.abs(coords).max() <= 1.0 + 1e-9


def test_duplicate_texts_are_not_repeated_as_representatives():
    points = np.array([[1.0, 0, 0]] * 4 + [[0.9, 0.43, 0]] + [[0.9, 0, 0.43]])
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    reps = representatives(points, np.arange(6), count=5)
    assert sum(1 for r in reps if r < 4) == 1
    assert len(reps) == 3


def test_kmeans_gives_scikit_learns_partitions():
    """ml.cluster._kmeans is scikit-learn's KMeans (k-means++, Lloyd) written out in numpy: same partitions,
    with or without the shared Gram matrix."""
    from sklearn.cluster import KMeans

    from ml.cluster import _gram, _kmeans

    rows, _ = blobs(k=5, per=40, dim=24, seed=1)
    rows = rows + np.random.default_rng(2).normal(scale=0.3, size=rows.shape)  # overlapping, so starts differ
    gram = _gram(rows)
    for k in (2, 3, 5, 8, 13):
        for seed in (0, 1):
            expected = KMeans(n_clusters=k, n_init=4, random_state=seed, max_iter=200).fit_predict(rows)
            for shared in (None, gram):
                labels, centres = _kmeans(rows, k, seed, gram=shared)
                assert adjusted_rand_score(expected, labels) == 1.0
                assert centres.shape == (k, rows.shape[1])


def test_kmeans_with_more_clusters_than_distinct_rows():
    from ml.cluster import _kmeans

    rows = np.array([[1.0, 0.0]] * 6 + [[0.0, 1.0]] * 4)
    labels, _ = _kmeans(rows, 3, 0)
    assert len(labels) == 10 and len(set(labels[:6].tolist())) == 1 and labels[0] != labels[-1]


def test_silhouettes_equal_scikit_learns():
    from sklearn.metrics import silhouette_score

    from ml.cluster import _distances_from_gram, _gram, _kmeans, _silhouette

    rng = np.random.default_rng(3)
    rows = rng.normal(size=(300, 16))
    distances = _distances_from_gram(_gram(rows))
    for k in (2, 3, 5):
        labels, _ = _kmeans(rows, k, 0)
        assert _silhouette(distances, labels) == pytest.approx(silhouette_score(rows, labels), abs=1e-9)
    singletons = np.array([0, 1] + [2] * 298)  # rows alone in their cluster score 0, as in scikit-learn
    assert _silhouette(distances, singletons) == pytest.approx(silhouette_score(rows, singletons), abs=1e-9)
    assert _silhouette(distances, np.zeros(300, dtype=int)) == -1.0


def test_projection_matches_scikit_learns_pca():
    from sklearn.decomposition import PCA

    points, _ = blobs(k=3, per=30, dim=12)
    expected = PCA(n_components=2, svd_solver="full").fit_transform(points)
    expected /= np.abs(expected).max(axis=0)
    assert np.allclose(project_2d(points), expected, atol=1e-6)
    assert project_2d(points[:2]).shape == (2, 2)


def test_with_many_small_themes_wards_partition_is_kept_when_its_inertia_is_lower(monkeypatch):
    """Issue 16's Japanese set has 77 themes for 337 comments. With many small themes Ward's partition
    (refined by Lloyd's iterations) is one more candidate; the lower within-theme sum of squares wins."""
    import ml.cluster as module

    points, truth = blobs(k=40, per=3, dim=32, seed=1)

    def scrambled(matrix, k, seed, **kwargs):  # a poor k-means result: every row in turn
        return np.arange(len(matrix)) % k, None

    monkeypatch.setattr(module, "_kmeans", scrambled)
    monkeypatch.setattr(module, "SPECTRAL_NEIGHBOURS", 0)  # Ward's rule alone
    assert adjusted_rand_score(truth, cluster(points, k=40, seed=0, min_size=1).labels) == 1.0
    # Few themes: k-means alone decides (Ward is not consulted).
    few, _ = blobs(k=5, per=30, dim=16, seed=1)
    kept = cluster(few, k=5, seed=0, min_size=1).labels
    assert adjusted_rand_score(np.arange(len(few)) % 5, kept) == 1.0


def test_spectral_partition_is_kept_when_its_silhouette_is_higher(monkeypatch):
    """A normalised cut on the nearest-neighbour graph is one more candidate for the partition that is kept,
    judged by the silhouette: it replaces a poor k-means result, and does not replace a better one (the real
    comments it was added for are in tests/ml/test_pipeline.py)."""
    import ml.cluster as module

    points, truth = blobs(k=5, per=30, dim=16, seed=1)
    kmeans = module._kmeans
    monkeypatch.setattr(module, "_kmeans", lambda matrix, k, seed, **kwargs: (np.arange(len(matrix)) % k, None))
    assert adjusted_rand_score(truth, cluster(points, k=5, seed=0, min_size=1).labels) == 1.0
    monkeypatch.setattr(module, "_kmeans", kmeans)
    # many small themes: the spectral partition's silhouette is lower, the Ward / k-means partition stays
    pairs, pair_truth = blobs(k=40, per=3, dim=32, seed=1)
    assert adjusted_rand_score(pair_truth, cluster(pairs, k=40, seed=0, min_size=1).labels) == 1.0


def test_ward_candidate_is_deterministic_and_gives_k_clusters():
    from ml.cluster import _inertia, _ward

    points, _ = blobs(k=12, per=4, dim=16, seed=2)
    labels = _ward(points, 12)
    assert labels is not None and len(set(labels.tolist())) == 12
    assert (labels == _ward(points, 12)).all()
    assert _inertia(points, labels) <= _inertia(points, np.arange(len(points)) % 12)
