"""Targeted announcements: the audience, the preview, bad input, delivery by each channel, idempotency."""

from __future__ import annotations

import json
from datetime import time, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from outreach import selectors, services
from outreach.models import Announcement, AnnouncementDelivery, Channel, EmailMode, Preferences
from participation.core.predicates import RESIDENT, STAFF
from participation.models import Notification
from tests.conftest import make_user
from tests.outreach.conftest import link_line, subscribe_browser
from tests.outreach.fakes import Browser

ALL = [Channel.SITE, Channel.EMAIL, Channel.PUSH, Channel.LINE]


def _announcement(staff, **extra) -> Announcement:
    defaults = {"title_ja": "北町の通行止め", "title_en": "Road closed in Kitamachi", "body_ja": "来週、工事をします。",
                "body_en": "Road works next week.", "channels": ALL, "created_by": staff}
    return Announcement.objects.create(**{**defaults, **extra})


@pytest.fixture
def town(db, districts, push_service, fake_line):
    """Residents in two districts, every one reachable by every channel."""
    people = {}
    for name, district, language in [("kita1", "北町", "ja"), ("kita2", "北町", "en"), ("kita3", "Kitamachi", "ja"),
                                     ("minami1", "南町", "ja"), ("minami2", "南町", "en")]:
        user = make_user(name, RESIDENT, district=district, preferred_language=language)
        browser = Browser()
        subscribe_browser(user, push_service, browser)
        link_line(user)
        people[name] = (user, browser)
    return people


def _send_now(announcement, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.announcement_schedule(announcement=announcement, user=staff)
    announcement.refresh_from_db()
    return announcement


def test_district_announcement_reaches_exactly_that_district_by_each_channel(
        town, staff_user, districts, push_service, fake_line, django_capture_on_commit_callbacks):
    ann = _announcement(staff_user)
    ann.districts.set([districts["北町"]])
    preview = selectors.announcement_preview(ann)
    assert preview == {"total": 3, "channels": {"site": 3, "email": 3, "push": 3, "line": 3}}

    ann = _send_now(ann, staff_user, django_capture_on_commit_callbacks)
    assert ann.status == Announcement.Status.SENT and ann.recipients == 3
    kita = {"kita1", "kita2", "kita3"}
    # in-site
    assert {n.recipient.username for n in Notification.objects.filter(verb=services.ANNOUNCEMENT_VERB)} == kita
    # e-mail, each in the resident's language, with one-click unsubscribe headers
    assert sorted(m.to[0].split("@")[0] for m in mail.outbox) == sorted(kita)
    english = next(m for m in mail.outbox if m.to == ["kita2@example.jp"])
    assert english.subject == "Road closed in Kitamachi" and "Road works next week." in english.body
    assert english.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # push: decrypted by each browser
    for name in kita:
        user, browser = town[name]
        (request,) = push_service.received(name)
        payload = browser.decrypt(request["body"])
        assert payload["title"] == ("Road closed in Kitamachi" if name == "kita2" else "北町の通行止め")
    assert push_service.received("minami1") == push_service.received("minami2") == []
    # LINE: bearer token, retry key, text
    assert len(fake_line.requests) == 3
    for request in fake_line.requests:
        assert request["path"] == "/v2/bot/message/push"
        assert request["headers"]["authorization"] == "Bearer test-line-token"
        assert len(request["headers"]["x-line-retry-key"]) == 36
        body = json.loads(request["body"])
        assert body["to"].startswith("U") and body["messages"][0]["type"] == "text"
    assert {r["channel"]: r["sent"] for r in selectors.announcement_counts(ann)} == {
        "email": 3, "line": 3, "push": 3, "site": 3}


def test_rerunning_a_batch_sends_nothing_twice(town, staff_user, districts, push_service, fake_line,
                                               django_capture_on_commit_callbacks):
    ann = _announcement(staff_user)
    ann.districts.set([districts["南町"]])
    ann = _send_now(ann, staff_user, django_capture_on_commit_callbacks)
    ids = list(selectors.announcement_audience(ann).values_list("pk", flat=True))
    before = (len(mail.outbox), len(push_service.requests), len(fake_line.requests), Notification.objects.count())
    services.announcement_deliver_batch(announcement_id=ann.pk, user_ids=ids)  # a worker restarted and reran it
    assert (len(mail.outbox), len(push_service.requests), len(fake_line.requests), Notification.objects.count()) == before
    assert AnnouncementDelivery.objects.filter(announcement=ann).count() == 2 * 4


def test_a_row_claimed_by_a_dead_worker_is_not_sent_again(town, staff_user, districts,
                                                          django_capture_on_commit_callbacks):
    ann = _announcement(staff_user, channels=[Channel.EMAIL])
    ann.districts.set([districts["南町"]])
    minami1 = town["minami1"][0]
    with django_capture_on_commit_callbacks(execute=False):
        services.announcement_schedule(announcement=ann, user=staff_user)
    services.announcement_dispatch(announcement_id=ann.pk)
    AnnouncementDelivery.objects.create(announcement=ann, user=minami1, channel=Channel.EMAIL,
                                        status=AnnouncementDelivery.Status.SENDING)  # claimed, then the worker died
    services.announcement_deliver_batch(announcement_id=ann.pk, user_ids=[minami1.pk, town["minami2"][0].pk])
    assert [m.to for m in mail.outbox] == [["minami2@example.jp"]]


def test_audience_by_topic_language_and_role(db, staff_user, topics, districts):
    a = make_user("a", RESIDENT, preferred_language="en")
    b = make_user("b", RESIDENT, preferred_language="ja")
    make_user("c", RESIDENT, preferred_language="en")
    for user in (a, b):
        services.preferences_update(user=user, via_site=True, via_email=True, via_push=True, via_line=True,
                                    followups=True, email_mode=EmailMode.IMMEDIATE, topics=[topics["bousai"]])
    ann = _announcement(staff_user, channels=[Channel.SITE])
    ann.topics.set([topics["bousai"]])
    assert set(selectors.announcement_audience(ann).values_list("username", flat=True)) == {"a", "b"}
    ann.languages = ["en"]
    assert set(selectors.announcement_audience(ann).values_list("username", flat=True)) == {"a"}
    ann.languages, ann.roles = [], [STAFF]
    ann.topics.clear()
    assert set(selectors.announcement_audience(ann).values_list("username", flat=True)) == {"clerk"}


def test_channel_preferences_are_respected(db, staff_user):
    off = make_user("quiet", RESIDENT)
    services.preferences_update(user=off, via_site=True, via_email=False, via_push=False, via_line=False,
                                followups=False, email_mode=EmailMode.DAILY)
    ann = _announcement(staff_user, channels=[Channel.SITE, Channel.EMAIL], roles=[RESIDENT])
    assert selectors.announcement_preview(ann)["channels"] == {"site": 2, "email": 1}  # staff + quiet; only staff by mail


@pytest.mark.parametrize("change, field", [
    ({"channels": []}, "channels"),
    ({"channels": ["fax"]}, "channels"),
    ({"languages": ["fr"]}, "languages"),
    ({"roles": ["king"]}, "roles"),
    ({"link": "javascript:alert(1)"}, "link"),
    ({"link": "//evil.example/"}, "link"),
])
def test_bad_announcements_are_refused(db, staff_user, change, field):
    ann = _announcement(staff_user, **change)
    with pytest.raises(ValidationError) as error:
        services.announcement_schedule(announcement=ann, user=staff_user)
    assert field in error.value.message_dict
    ann.refresh_from_db()
    assert ann.status == Announcement.Status.DRAFT and not AnnouncementDelivery.objects.exists()


def test_no_audience_and_past_schedule_are_refused(db, staff_user, districts):
    ann = _announcement(staff_user)
    ann.districts.set([districts["東町"]])  # nobody lives there
    with pytest.raises(ValidationError) as error:
        services.announcement_schedule(announcement=ann, user=staff_user)
    assert "該当する住民がいません" in str(error.value)
    ann.districts.clear()
    with pytest.raises(ValidationError) as error:
        services.announcement_schedule(announcement=ann, user=staff_user, send_at=timezone.now() - timedelta(hours=1))
    assert "送信日時が過去" in str(error.value)
    assert Announcement.objects.get(pk=ann.pk).status == Announcement.Status.DRAFT


def test_unknown_district_is_refused(db, staff_user, districts):
    ann = _announcement(staff_user)
    with pytest.raises(ValidationError) as error:
        services.announcement_set_audience(announcement=ann, user=staff_user, districts=["北町", "火星町"],
                                           channels=[Channel.SITE])
    assert "火星町" in str(error.value)
    assert not ann.districts.exists()
    services.announcement_set_audience(announcement=ann, user=staff_user, districts=["Kitamachi"], channels=["site"])
    assert list(ann.districts.values_list("name_ja", flat=True)) == ["北町"]


def test_residents_cannot_send(db, resident, staff_user):
    ann = _announcement(staff_user)
    with pytest.raises(PermissionDenied):
        services.announcement_schedule(announcement=ann, user=resident)


def test_scheduled_announcement_waits_for_its_time(db, staff_user, django_capture_on_commit_callbacks):
    ann = _announcement(staff_user, channels=[Channel.SITE])
    later = timezone.now() + timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        services.announcement_schedule(announcement=ann, user=staff_user, send_at=later)
    assert Announcement.objects.get(pk=ann.pk).status == Announcement.Status.SCHEDULED
    assert services.announcement_dispatch(announcement_id=ann.pk) == 0
    with django_capture_on_commit_callbacks(execute=True):
        services.announcement_dispatch(announcement_id=ann.pk, now=later + timedelta(seconds=1))
    assert Announcement.objects.get(pk=ann.pk).status == Announcement.Status.SENT
    assert Notification.objects.filter(verb=services.ANNOUNCEMENT_VERB).count() == 1


def test_quiet_hours_hold_push_until_they_end(db, staff_user, push_service, django_capture_on_commit_callbacks):
    night = make_user("night", RESIDENT)
    browser = Browser()
    subscribe_browser(night, push_service, browser)
    services.preferences_update(user=night, via_site=True, via_email=False, via_push=True, via_line=False,
                                followups=True, email_mode=EmailMode.OFF, quiet_start=time(22, 0), quiet_end=time(7, 0))
    ann = _announcement(staff_user, channels=[Channel.PUSH, Channel.SITE], roles=[RESIDENT])
    eleven_pm = timezone.localtime().replace(hour=23, minute=0)
    with django_capture_on_commit_callbacks(execute=True):
        services.announcement_schedule(announcement=ann, user=staff_user, now=eleven_pm - timedelta(minutes=5))
        services.announcement_dispatch(announcement_id=ann.pk, now=eleven_pm)
    delivery = AnnouncementDelivery.objects.get(user=night, channel=Channel.PUSH)
    # the batch task ran with the real clock; force the quiet-hours case explicitly
    AnnouncementDelivery.objects.filter(pk=delivery.pk).update(status="pending")
    push_service.requests.clear()
    services._deliver_claimed(ann, AnnouncementDelivery.objects.filter(pk=delivery.pk), eleven_pm)
    delivery.refresh_from_db()
    assert delivery.status == "deferred" and timezone.localtime(delivery.not_before).hour == 7
    assert push_service.received("night") == []
    assert services.deliveries_resume_deferred(now=eleven_pm + timedelta(hours=1)) == {}
    assert services.deliveries_resume_deferred(now=delivery.not_before + timedelta(minutes=1)) == {"push": 1}
    assert len(push_service.received("night")) == 1


def test_admin_send_page_previews_and_schedules(client, staff_user, districts, town,
                                                django_capture_on_commit_callbacks):
    ann = _announcement(staff_user, channels=[Channel.SITE])
    ann.districts.set([districts["南町"]])
    client.force_login(staff_user)
    page = client.get(f"/admin/outreach/announcements/{ann.pk}/send/")
    assert page.status_code == 200 and "対象に該当する住民は2人です" in page.content.decode()
    past = (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    page = client.post(f"/admin/outreach/announcements/{ann.pk}/send/", {"action": "schedule", "send_at": past})
    assert "送信日時が過去" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(f"/admin/outreach/announcements/{ann.pk}/send/", {"action": "schedule", "send_at": ""})
    assert page.status_code == 302
    page = client.get(f"/admin/outreach/announcements/{ann.pk}/send/")
    assert Announcement.objects.get(pk=ann.pk).status == "sent" and "配信結果" in page.content.decode()


def test_admin_send_page_is_staff_only(client, resident, staff_user):
    ann = _announcement(staff_user)
    client.force_login(resident)
    assert client.get(f"/admin/outreach/announcements/{ann.pk}/send/").status_code in (302, 403)


def test_staff_write_announcements_in_the_wagtail_admin(client, staff_user, districts):
    client.force_login(staff_user)
    page = client.get("/admin/snippets/outreach/announcement/add/")
    assert page.status_code == 200
    response = client.post("/admin/snippets/outreach/announcement/add/", {
        "title_ja": "防災訓練", "title_en": "Disaster drill", "body_ja": "日曜日に訓練をします。", "body_en": "Drill on Sunday.",
        "link": "", "districts": [districts["北町"].pk], "channels": ["site", "push"], "languages": ["ja"],
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    ann = Announcement.objects.get(title_ja="防災訓練")
    assert ann.channels == ["site", "push"] and ann.languages == ["ja"] and ann.status == "draft"
    assert client.get("/admin/snippets/outreach/announcement/").status_code == 200


def test_public_announcements_page_and_detail(client, staff_user, resident, django_capture_on_commit_callbacks):
    public = _announcement(staff_user, title_ja="市全体のお知らせ", channels=[Channel.SITE])
    targeted = _announcement(staff_user, title_ja="職員向け", channels=[Channel.SITE], roles=[STAFF])
    for ann in (public, targeted):
        _send_now(ann, staff_user, django_capture_on_commit_callbacks)
    page = client.get("/outreach/announcements/").content.decode()
    assert "市全体のお知らせ" in page and "職員向け" not in page
    assert client.get(f"/outreach/announcements/{targeted.pk}/").status_code == 404
    client.force_login(resident)
    assert client.get(f"/outreach/announcements/{targeted.pk}/").status_code == 404
    assert client.get(f"/outreach/announcements/{public.pk}/").status_code == 200
    client.force_login(staff_user)
    assert client.get(f"/outreach/announcements/{targeted.pk}/").status_code == 200
    assert Preferences.objects.count() == 0
