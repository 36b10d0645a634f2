"""The demo seeder (idempotent, Japanese content) and LINE follow-ups through the local fake LINE API."""

from __future__ import annotations

import io
import json

from outreach.demo import seed_outreach
from outreach.models import Announcement, AreaSubscription, District, Topic
from participation.core.predicates import RESIDENT
from participation.models import Notification
from tests.conftest import make_user
from tests.outreach.conftest import link_line


def test_demo_seeder_is_idempotent(db, staff_user):
    for i in range(1, 6):
        make_user(f"resident{i}", RESIDENT, district="北町" if i % 2 else "南町")
    seed_outreach(stdout=io.StringIO())
    seed_outreach(stdout=io.StringIO())
    assert District.objects.count() == 5 and Topic.objects.count() == 6
    assert Announcement.objects.filter(status="sent").count() == 1
    assert Announcement.objects.filter(status="draft", districts__name_ja="北町").count() == 1
    assert AreaSubscription.objects.count() == 2
    assert Notification.objects.filter(verb="outreach.announcement").count() == 6  # 5 residents + staff


def test_followups_reach_linked_line_accounts(db, fake_line):
    user = make_user("liner", RESIDENT)
    link_line(user, uid="U1234567890abcdef1234567890abcdef")
    from outreach import services

    note = Notification.objects.create(recipient=user, verb="reports_map.report_updated",
                                       message="報告 #7 の状況：対応中", url="/reports/7/")
    assert services.followup_deliver(notification_id=note.pk) == {"push": 0, "line": 1}
    (request,) = fake_line.requests
    body = json.loads(request["body"])
    assert body["to"] == "U1234567890abcdef1234567890abcdef"
    assert body["messages"][0]["text"].startswith("報告 #7 の状況：対応中\nhttp://127.0.0.1:8000/reports/7/")
    assert request["headers"]["authorization"] == "Bearer test-line-token"
    services.followup_deliver(notification_id=note.pk)
    assert fake_line.requests[1]["headers"]["x-line-retry-key"] == request["headers"]["x-line-retry-key"]


def test_line_failure_is_reported_not_raised(db, fake_line):
    user = make_user("liner", RESIDENT)
    link_line(user)
    fake_line.responses["/v2/bot/message/push"] = (429, {})
    from outreach import services

    note = Notification.objects.create(recipient=user, verb="x", message="m", url="/")
    assert services.followup_deliver(notification_id=note.pk) == {"push": 0, "line": 0}


def _signed(body: bytes, secret: str) -> str:
    import base64
    import hashlib
    import hmac

    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def test_line_webhook_checks_the_signature_and_tracks_blocks(client, db, fake_line, settings, staff_user):
    from outreach import selectors
    from outreach.models import Channel, LineBlocked

    settings.OUTREACH_LINE_CHANNEL_SECRET = "webhook-secret"
    user = make_user("liner", RESIDENT)
    link_line(user, uid="Uaaaabbbbccccddddeeeeffff00001111")
    ann = Announcement.objects.create(title_ja="t", body_ja="b", channels=[Channel.LINE], roles=[RESIDENT])
    assert selectors.announcement_preview(ann)["channels"]["line"] == 1
    body = json.dumps({"destination": "Ubot", "events": [
        {"type": "unfollow", "source": {"type": "user", "userId": "Uaaaabbbbccccddddeeeeffff00001111"}}]}).encode()
    forged = client.post("/outreach/line/webhook", body, content_type="application/json",
                         HTTP_X_LINE_SIGNATURE=_signed(body, "wrong-secret"))
    assert forged.status_code == 400 and not LineBlocked.objects.exists()
    assert client.post("/outreach/line/webhook", body, content_type="application/json").status_code == 400
    ok = client.post("/outreach/line/webhook", body, content_type="application/json",
                     HTTP_X_LINE_SIGNATURE=_signed(body, "webhook-secret"))
    assert ok.status_code == 200 and LineBlocked.objects.count() == 1
    assert selectors.announcement_preview(ann)["channels"]["line"] == 0
    body = body.replace(b"unfollow", b"follow")
    client.post("/outreach/line/webhook", body, content_type="application/json",
                HTTP_X_LINE_SIGNATURE=_signed(body, "webhook-secret"))
    assert not LineBlocked.objects.exists()
