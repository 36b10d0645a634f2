import numpy as np
import pytest

from ml.cache import CacheStats, cached_embed
from ml.models import EmbeddingCache
from ml.text import normalise, text_hash


class CountingEmbedder:
    model_id = "test/counting"
    center = False

    def __init__(self):
        self.calls = []

    def embed(self, texts):
        self.calls.append(list(texts))
        return np.array([[len(t), 1.0, 0.0] for t in texts], dtype=np.float32)


@pytest.mark.django_db
def test_rerun_embeds_only_new_or_edited_texts():
    embedder = CountingEmbedder()
    texts = [f"意見 {i}" for i in range(100)]
    first = cached_embed(embedder)(texts)
    assert sum(len(c) for c in embedder.calls) == 100
    assert EmbeddingCache.objects.filter(model_id="test/counting").count() == 100

    embedder.calls.clear()
    stats = CacheStats()
    edited = texts[:99] + ["意見 99 (編集済み)", "新しい意見"]
    second = cached_embed(embedder, stats)(edited)
    assert embedder.calls == [["意見 99 (編集済み)", "新しい意見"]]
    assert stats.embedded == 2 and stats.hits == 99
    assert np.allclose(second[:99], first[:99])


@pytest.mark.django_db
def test_key_is_the_normalised_text_and_the_model():
    embedder = CountingEmbedder()
    cached_embed(embedder)(["公園　です"])
    cached_embed(embedder)(["公園 です", " 公園 です "])
    assert len(embedder.calls) == 1
    row = EmbeddingCache.objects.get()
    assert row.text_hash == text_hash(normalise("公園 です"))
    other = CountingEmbedder()
    other.model_id = "test/other"
    cached_embed(other)(["公園 です"])
    assert len(other.calls) == 1


@pytest.mark.django_db
def test_duplicates_in_one_batch_are_embedded_once():
    embedder = CountingEmbedder()
    vectors = cached_embed(embedder)(["a", "b", "a"])
    assert embedder.calls == [["a", "b"]]
    assert vectors.shape == (3, 3) and np.allclose(vectors[0], vectors[2])
