"""On PostgreSQL: the same announcement batch run by several workers at once (a duplicated or restarted
task) reaches each resident once per channel; two dispatchers freeze the audience once."""

from __future__ import annotations

import threading

import pytest
from django.core import mail
from django.db import connection
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from outreach import services, tasks
from outreach.models import Announcement, AnnouncementDelivery, Channel
from participation.core.predicates import RESIDENT
from participation.models import Notification
from tests.conftest import make_user, requires_postgres
from tests.outreach.test_schedule import DATABASE_TASKS


def _parallel(n, func):
    barrier = threading.Barrier(n)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(func())
        except Exception as error:  # pragma: no cover - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return results


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_workers_deliver_each_message_once(settings):
    settings.OUTREACH_BATCH_SIZE = 1000
    users = [make_user(f"r{i}", RESIDENT) for i in range(30)]
    ann = Announcement.objects.create(title_ja="一斉", body_ja="本文", channels=[Channel.SITE, Channel.EMAIL],
                                      roles=[RESIDENT], status=Announcement.Status.SCHEDULED)
    with override_settings(TASKS=DATABASE_TASKS):  # batches are queued, not run inline
        batches = _parallel(3, lambda: services.announcement_dispatch(announcement_id=ann.pk))
    assert sorted(batches) == [0, 0, 1]  # one dispatcher won the row lock
    assert DBTaskResult.objects.filter(task_path=tasks.deliver_announcement_batch.module_path).count() == 1
    assert mail.outbox == []
    ids = [u.pk for u in users]
    _parallel(4, lambda: services.announcement_deliver_batch(announcement_id=ann.pk, user_ids=ids))
    assert len(mail.outbox) == 30 and len({m.to[0] for m in mail.outbox}) == 30
    assert Notification.objects.filter(verb=services.ANNOUNCEMENT_VERB).count() == 30
    assert AnnouncementDelivery.objects.filter(status="sent").count() == 60
    ann.refresh_from_db()
    assert ann.status == Announcement.Status.SENT
