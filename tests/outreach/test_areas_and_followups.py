"""Area alerts for new reports and consultations, and pushes for what residents follow, driven by the
events and notifications other apps already produce."""

from __future__ import annotations

from datetime import time

import pytest
from django.core.exceptions import ValidationError

from outreach import services
from outreach.models import AreaAlertSent, AreaSubscription, EmailMode
from participation.core.predicates import RESIDENT
from participation.models import Notification
from reports_map.models import Category
from reports_map.services import report_create, report_follow, report_update_post
from tests.conftest import make_user
from tests.outreach.conftest import subscribe_browser

KITA_POINT = (35.6950, 139.5600)  # inside 北町 (demo boundaries)
MINAMI_POINT = (35.6650, 139.5600)  # inside 南町


def _report(author, point, captured):
    with captured(execute=True):
        return report_create(author=author, category=Category.objects.get(service_code="road-pothole"),
                             latitude=point[0], longitude=point[1], description="歩道に穴があります")


def test_new_report_alerts_residents_watching_that_district_or_circle(
        db, districts, django_capture_on_commit_callbacks):
    kita = make_user("kita", RESIDENT)
    circle = make_user("circle", RESIDENT)
    minami = make_user("minami", RESIDENT)
    author = make_user("author", RESIDENT)
    services.area_subscribe(user=kita, kind="district", district=districts["北町"].pk)
    services.area_subscribe(user=circle, kind="circle", latitude=KITA_POINT[0], longitude=KITA_POINT[1] + 0.004,
                            radius_m=500)
    services.area_subscribe(user=minami, kind="district", district="南町")
    services.area_subscribe(user=author, kind="district", district="北町")
    report = _report(author, KITA_POINT, django_capture_on_commit_callbacks)
    alerted = set(Notification.objects.filter(verb=services.AREA_VERB).values_list("recipient__username", flat=True))
    assert alerted == {"kita", "circle"}  # not 南町, not the author
    assert Notification.objects.get(recipient=kita, verb=services.AREA_VERB).url == f"/reports/{report.pk}/"
    # a second run (another worker, a retry) alerts nobody twice
    assert services.area_alerts_for_report(report_id=report.pk) == 0
    assert AreaAlertSent.objects.filter(kind="report", object_id=report.pk).count() == 2


def test_circle_outside_radius_gets_nothing(db, districts, django_capture_on_commit_callbacks):
    far = make_user("far", RESIDENT)
    services.area_subscribe(user=far, kind="circle", latitude=MINAMI_POINT[0], longitude=MINAMI_POINT[1],
                            radius_m=1000)
    _report(make_user("author", RESIDENT), KITA_POINT, django_capture_on_commit_callbacks)
    assert not Notification.objects.filter(recipient=far).exists()


@pytest.mark.parametrize("kwargs, field", [
    ({"kind": "district", "district": "火星町"}, "district"),
    ({"kind": "district", "district": None}, "district"),
    ({"kind": "circle", "latitude": "x", "longitude": 1, "radius_m": 500}, "latitude"),
    ({"kind": "circle", "latitude": 35.6, "longitude": 139.5, "radius_m": 50_000}, "radius_m"),
    ({"kind": "circle", "latitude": 95, "longitude": 139.5, "radius_m": 500}, "latitude"),
    ({"kind": "square"}, "kind"),
    ({"kind": "district", "district": "北町", "reports": False, "consultations": False}, "reports"),
])
def test_bad_areas_are_refused(db, districts, resident, kwargs, field):
    with pytest.raises(ValidationError) as error:
        services.area_subscribe(user=resident, **kwargs)
    assert field in error.value.message_dict
    assert not AreaSubscription.objects.exists()


def test_at_most_five_areas(db, districts, resident):
    for name in ["北町", "南町", "東町", "西町", "中央"]:
        services.area_subscribe(user=resident, kind="district", district=name)
    with pytest.raises(ValidationError):
        services.area_subscribe(user=resident, kind="district", district="北町")


def test_new_consultation_alerts_the_area_of_its_map_centre(db, districts, demo_pages,
                                                            django_capture_on_commit_callbacks):
    watcher = make_user("watcher", RESIDENT)
    services.area_subscribe(user=watcher, kind="circle", latitude=35.6812, longitude=139.5600, radius_m=300)
    page = demo_pages[0]
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    note = Notification.objects.get(recipient=watcher, verb=services.AREA_VERB)
    assert page.title[:20] in note.message
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()  # edited and published again: no second alert
    assert Notification.objects.filter(recipient=watcher, verb=services.AREA_VERB).count() == 1


def test_follower_gets_a_push_when_staff_change_the_report_status(
        db, staff_user, push_service, browser_keys, django_capture_on_commit_callbacks):
    follower = make_user("follower", RESIDENT, preferred_language="en")
    subscribe_browser(follower, push_service, browser_keys)
    report = _report(make_user("author", RESIDENT), MINAMI_POINT, django_capture_on_commit_callbacks)
    report_follow(report=report, user=follower)
    with django_capture_on_commit_callbacks(execute=True):
        report_update_post(report=report, actor=staff_user, status="in_progress")
    (request,) = push_service.received("follower")
    payload = browser_keys.decrypt(request["body"])
    assert payload["url"] == f"/reports/{report.pk}/"
    assert f"Report #{report.pk}" in payload["body"]


def test_followup_push_respects_preferences_and_quiet_hours(db, push_service, browser_keys):
    user = make_user("sleepy", RESIDENT)
    subscribe_browser(user, push_service, browser_keys)
    services.preferences_update(user=user, via_site=True, via_email=False, via_push=True, via_line=False,
                                followups=True, email_mode=EmailMode.OFF, quiet_start=time(0, 0),
                                quiet_end=time(23, 59))
    note = Notification.objects.create(recipient=user, verb="x", message="m", url="/")
    from django.utils import timezone

    noon = timezone.localtime().replace(hour=12)
    assert services.followup_deliver(notification_id=note.pk, now=noon) == {"push": 0, "line": 0}
    services.preferences_update(user=user, via_site=True, via_email=False, via_push=True, via_line=False,
                                followups=False, email_mode=EmailMode.OFF)
    assert services.followup_deliver(notification_id=note.pk) == {"push": 0, "line": 0}
    services.preferences_update(user=user, via_site=True, via_email=False, via_push=True, via_line=False,
                                followups=True, email_mode=EmailMode.OFF)
    assert services.followup_deliver(notification_id=note.pk) == {"push": 1, "line": 0}
    assert push_service.received("sleepy")
