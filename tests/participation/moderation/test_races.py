"""Flag races on PostgreSQL: each thread has its own connection; the database keeps one flag per user per item."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from participation.models import Flag, ModerationAction, Notification
from participation.moderation import services as moderation
from tests.conftest import requires_postgres
from tests.participation.helpers import make_comment, make_proposal

pytestmark = [requires_postgres, pytest.mark.django_db(transaction=True)]


def hammer(calls):
    results, barrier = [], threading.Barrier(len(calls))

    def run(call):
        try:
            barrier.wait()
            results.append(call())
        except Exception as exc:
            results.append(type(exc).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_ten_parallel_identical_flags_leave_one(open_consultation, resident, other_resident):
    comment = make_comment(make_proposal(other_resident, open_consultation), resident)
    results = hammer([
        lambda: moderation.flag_create(user=other_resident, kind="comment", object_id=comment.pk, reason="spam")[1]
    ] * 10)
    assert sorted(results, key=str) == [False] * 9 + [True] or results.count(True) == 1, results
    assert all(isinstance(r, bool) for r in results), results
    assert Flag.objects.filter(kind="comment", object_id=comment.pk).count() == 1


@pytest.mark.parametrize("n", [3, 8])
def test_parallel_flaggers_hide_once(open_consultation, resident, other_resident, user_factory, settings, n):
    settings.FLAG_HIDE_THRESHOLD = 3
    comment = make_comment(make_proposal(other_resident, open_consultation), resident)
    flaggers = [user_factory(f"racer{i}") for i in range(n)]
    results = hammer([
        (lambda u=u: moderation.flag_create(user=u, kind="comment", object_id=comment.pk, reason="spam")[1])
        for u in flaggers
    ])
    assert all(r in (True, "Http404") for r in results), results
    comment.refresh_from_db()
    assert comment.hidden_at is not None
    assert ModerationAction.objects.filter(action="auto_hide", target_id=comment.pk).count() == 1
    assert Notification.objects.filter(recipient=resident, verb="moderation.hidden").count() == 1
