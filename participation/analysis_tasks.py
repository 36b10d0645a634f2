"""Background tasks of the opinion analysis (django-tasks: database backend + worker; inline in tests)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_analysis(run_id: int) -> None:
    """Embed, cluster and store one queued analysis run; progress is written to the run row."""
    from participation.analysis import analysis_execute

    analysis_execute(run_id=run_id)
