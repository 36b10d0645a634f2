"""Digests: one e-mail per resident per period with what happened, one-click unsubscribe (RFC 8058)."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from outreach import services
from outreach.models import DigestSent, EmailMode, Preferences
from participation.core.predicates import RESIDENT
from participation.models import Notification
from tests.conftest import make_user, requires_postgres


def _tokyo(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


def _digest_user(name: str, mode=EmailMode.DAILY, language="ja"):
    user = make_user(name, RESIDENT, preferred_language=language)
    services.preferences_update(user=user, via_site=True, via_email=True, via_push=False, via_line=False,
                                followups=False, email_mode=mode)
    return user


def test_choosing_a_digest_stops_single_mails(db):
    user = _digest_user("d1")
    user.refresh_from_db()
    assert user.email_notifications is False
    services.preferences_update(user=user, via_site=True, via_email=True, via_push=False, via_line=False,
                                followups=False, email_mode=EmailMode.IMMEDIATE)
    user.refresh_from_db()
    assert user.email_notifications is True


def test_daily_digest_lists_yesterday_once(db):
    user = _digest_user("d1", language="en")
    Notification.objects.create(recipient=user, verb="x", message="Report #5 is now: Fixed", url="/reports/5/",
                                created_at=_tokyo(2026, 12, 3, 10))
    Notification.objects.create(recipient=user, verb="x", message="too old", created_at=_tokyo(2026, 12, 1, 10))
    assert services.digests_send_due(now=_tokyo(2026, 12, 4, 6, 59)) == 0  # before 7:00
    assert services.digests_send_due(now=_tokyo(2026, 12, 4, 7, 1)) == 1
    assert services.digests_send_due(now=_tokyo(2026, 12, 4, 8, 0)) == 0  # same period: nothing again
    (message,) = mail.outbox
    assert message.subject.startswith("Your daily digest")
    assert "Report #5 is now: Fixed" in message.body and "http://127.0.0.1:8000/reports/5/" in message.body
    assert "too old" not in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["List-Unsubscribe"].startswith("<http://127.0.0.1:8000/outreach/unsubscribe/")
    html = message.alternatives[0][0]
    assert "Report #5 is now: Fixed" in html


def test_weekly_digest_on_monday_only(db):
    user = _digest_user("w1", mode=EmailMode.WEEKLY)
    Notification.objects.create(recipient=user, verb="x", message="週の出来事", created_at=_tokyo(2026, 12, 2, 9))
    assert services.digests_send_due(now=_tokyo(2026, 12, 6, 9)) == 0  # Sunday
    assert services.digests_send_due(now=_tokyo(2026, 12, 7, 9)) == 1  # Monday
    assert "週の出来事" in mail.outbox[0].body
    assert DigestSent.objects.get(user=user).period_start.isoformat() == "2026-11-30"


def test_nothing_happened_no_mail(db):
    _digest_user("d2")
    assert services.digests_send_due(now=_tokyo(2026, 12, 4, 9)) == 0
    assert mail.outbox == [] and DigestSent.objects.get().status == "empty"


def test_one_click_unsubscribe(client, db):
    user = _digest_user("d3")
    token = services.unsubscribe_token(user)
    response = client.post(f"/outreach/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    prefs = Preferences.objects.get(user=user)
    user.refresh_from_db()
    assert prefs.email_mode == EmailMode.OFF and not user.email_notifications
    assert client.get(f"/outreach/unsubscribe/{token}/").status_code == 200
    assert client.post("/outreach/unsubscribe/forged-token/", {"List-Unsubscribe": "One-Click"}).status_code == 400


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_each_resident_gets_one_digest_even_with_parallel_workers():
    """Four workers run the same schedule at once: the unique (resident, frequency, period) row decides."""
    users = [_digest_user(f"p{i}") for i in range(12)]
    for user in users:
        Notification.objects.create(recipient=user, verb="x", message="出来事", created_at=_tokyo(2026, 12, 3, 12))
    now = _tokyo(2026, 12, 4, 7, 30)
    barrier = threading.Barrier(4)
    results, errors = [], []

    def worker():
        try:
            barrier.wait()
            results.append(services.digests_send_due(now=now))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sum(results) == 12
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users)
    assert DigestSent.objects.filter(status="sent").count() == 12


def test_digest_period_boundaries():
    assert services.digest_period("daily", _tokyo(2026, 12, 4, 7))[0] == _tokyo(2026, 12, 3)
    assert services.digest_period("weekly", _tokyo(2026, 12, 8, 7)) is None
    start, end = services.digest_period("weekly", _tokyo(2026, 12, 7, 7))
    assert (start, end) == (_tokyo(2026, 11, 30), _tokyo(2026, 12, 7))
    assert end - start == timedelta(days=7)
