"""The schedule without cron: a tick task that queues its successor in the database queue; digests and due
announcements happen inside it; parallel chains fold into one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from outreach import services, tasks
from outreach.models import Announcement, Channel, EmailMode
from participation.core.predicates import RESIDENT
from participation.models import Notification
from tests.conftest import make_user

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend",
                              "QUEUES": ["default", "suggestions"]}}


def _run(result: DBTaskResult) -> None:
    worker = Worker(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
                    max_tasks=None, worker_id="test-worker")
    result.claim(worker.worker_id)
    worker.run_task(result)


@pytest.fixture
def database_tasks():
    with override_settings(TASKS=DATABASE_TASKS):
        yield


def _ticks():
    return DBTaskResult.objects.filter(task_path=tasks.outreach_tick.module_path)


def test_tick_queues_its_successor_once(db, database_tasks):
    assert services.schedule_ensure() is True
    assert services.schedule_ensure() is False  # one waiting tick is enough
    (tick,) = _ticks()
    assert tick.run_after > timezone.now() + timedelta(seconds=30)
    _run(tick)
    tick.refresh_from_db()
    assert tick.status == "SUCCESSFUL"
    assert _ticks().filter(status="READY").count() == 1  # the next one


def test_a_second_chain_folds_into_the_first(db):
    now = timezone.now()
    assert "skipped" not in services.tick(now=now)
    assert services.tick(now=now + timedelta(seconds=10)) == {"skipped": True}
    assert "skipped" not in services.tick(now=now + timedelta(seconds=61))


def test_tick_sends_due_digests_and_scheduled_announcements(db, database_tasks, staff_user,
                                                             django_capture_on_commit_callbacks):
    reader = make_user("reader", RESIDENT)
    services.preferences_update(user=reader, via_site=True, via_email=True, via_push=False, via_line=False,
                                followups=False, email_mode=EmailMode.DAILY)
    morning = timezone.localtime().replace(hour=8, minute=0, second=0, microsecond=0)
    Notification.objects.create(recipient=reader, verb="x", message="昨日の出来事",
                                created_at=morning - timedelta(hours=12))
    ann = Announcement.objects.create(title_ja="お知らせ", body_ja="本文", channels=[Channel.SITE], roles=[RESIDENT],
                                      status=Announcement.Status.SCHEDULED, scheduled_at=morning - timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        services.tick(now=morning)
    assert [m.to for m in mail.outbox] == [["reader@example.jp"]]
    ann.refresh_from_db()
    assert ann.status == Announcement.Status.SENDING  # batches are queued for the worker
    for batch in DBTaskResult.objects.filter(task_path=tasks.deliver_announcement_batch.module_path):
        _run(batch)
    ann.refresh_from_db()
    assert ann.status == Announcement.Status.SENT
    assert Notification.objects.filter(verb=services.ANNOUNCEMENT_VERB).count() == ann.recipients == 2


def test_scheduling_in_the_future_queues_the_dispatch_for_then(db, database_tasks, staff_user,
                                                               django_capture_on_commit_callbacks):
    ann = Announcement.objects.create(title_ja="予定", body_ja="本文", channels=[Channel.SITE])
    later = timezone.now() + timedelta(hours=3)
    with django_capture_on_commit_callbacks(execute=True):
        services.announcement_schedule(announcement=ann, user=staff_user, send_at=later)
    (queued,) = DBTaskResult.objects.filter(task_path=tasks.dispatch_announcement.module_path)
    assert abs((queued.run_after - later).total_seconds()) < 1


def test_followup_in_quiet_hours_waits_for_their_end(db, database_tasks):
    from datetime import time

    from outreach.models import PushSubscription

    user = make_user("sleeper", RESIDENT)
    PushSubscription.objects.create(user=user, endpoint="https://fcm.googleapis.com/fcm/send/x", p256dh="k", auth="a")
    services.preferences_update(user=user, via_site=True, via_email=False, via_push=True, via_line=False,
                                followups=True, email_mode=EmailMode.OFF, quiet_start=time(22, 0), quiet_end=time(7, 0))
    note = Notification.objects.create(recipient=user, verb="x", message="m", url="/")
    eleven_pm = timezone.localtime().replace(hour=23, minute=0, second=0, microsecond=0)
    assert services.followup_deliver(notification_id=note.pk, now=eleven_pm) == {"push": 0, "line": 0}
    (queued,) = DBTaskResult.objects.filter(task_path=tasks.deliver_followup.module_path)
    assert timezone.localtime(queued.run_after).hour == 7 and queued.args_kwargs["args"] == [note.pk]
