"""Staff imports of outside opinions as a background task: the request stores the file and queues a job;
the worker (``db_worker``, like ``run_analysis``) reads, checks and stores every row — or none — and the
admin page shows its progress live (``ml.services.import_job_progress``)."""

from __future__ import annotations

from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django_tasks import task


def import_start(*, consultation_id: int, name: str, filename: str, path: str, parameters: dict[str, Any], user=None):
    """Queue the import of an uploaded file (already in default storage at ``path``); the task is enqueued
    after the transaction commits."""
    from ml.services import import_job_create

    job = import_job_create(
        consultation_id=consultation_id, name=name, filename=filename, path=path, parameters=parameters, user=user
    )
    transaction.on_commit(lambda: import_opinions.enqueue(job.pk))
    return job


def _read(path: str) -> bytes:
    with default_storage.open(path, "rb") as handle:
        return handle.read()


def _remove(path: str) -> None:
    if path and default_storage.exists(path):
        default_storage.delete(path)


@task()
def import_opinions(job_id: int) -> None:
    from ml.services import import_job_execute

    import_job_execute(job_id=job_id, read_file=_read, remove_file=_remove)
