"""The embedding cache: (model id, sha256 of normalised text) → vector, stored in the database."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ml.embeddings import Embedder, EmbedFn
from ml.text import normalise, text_hash

LOOKUP_CHUNK = 500


@dataclass
class CacheStats:
    hits: int = 0
    embedded: int = 0


def cached_vectors(model_id: str, keys: list[str]) -> dict[str, np.ndarray]:
    """{text hash: vector} for the hashes ``keys`` whose vector under ``model_id`` is cached (read in chunks)."""
    from ml.models import EmbeddingCache

    found: dict[str, np.ndarray] = {}
    unique_keys = list(dict.fromkeys(keys))
    for start in range(0, len(unique_keys), LOOKUP_CHUNK):
        chunk = unique_keys[start : start + LOOKUP_CHUNK]
        for row in EmbeddingCache.objects.filter(model_id=model_id, text_hash__in=chunk).only(
            "text_hash", "dim", "vector"
        ):
            found[row.text_hash] = row.as_array()
    return found


def cached_embed(embedder: Embedder, stats: CacheStats | None = None) -> EmbedFn:
    """An embed function that reads cached vectors and embeds (and stores) only the missing texts."""
    from ml.models import EmbeddingCache

    stats = stats if stats is not None else CacheStats()

    def embed(texts: list[str]) -> np.ndarray:
        keys = [text_hash(normalise(t)) for t in texts]
        unique_keys = list(dict.fromkeys(keys))
        found = cached_vectors(embedder.model_id, unique_keys)
        missing: dict[str, str] = {}
        for key, text in zip(keys, texts, strict=False):
            if key not in found and key not in missing:
                missing[key] = text
        stats.hits += len(unique_keys) - len(missing)
        if missing:
            vectors = np.asarray(embedder.embed(list(missing.values())), dtype="<f4")
            stats.embedded += len(missing)
            rows = []
            for key, vector in zip(missing, vectors, strict=False):
                found[key] = vector
                rows.append(
                    EmbeddingCache(model_id=embedder.model_id, text_hash=key, dim=len(vector), vector=vector.tobytes())
                )
            EmbeddingCache.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        return np.vstack([found[key] for key in keys]).astype(np.float32)

    embed.stats = stats  # type: ignore[attr-defined]
    return embed
