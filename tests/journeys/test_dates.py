"""Issue 12, sharp edge 4: the phases are the one source of a consultation's dates; pages show them as
residents read them (2026年11月2日（月）, あと12日); the admin refuses overlapping phases and gaps, in Japanese."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone, translation

from cms.models import ConsultationPage, PhaseKind, phase_schedule_errors
from participation.templatetags.participation_tags import resident_date

pytestmark = pytest.mark.django_db
JA_DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日（[月火水木金土日]）")


def test_resident_date_in_both_languages():
    day = datetime(2026, 11, 2).date()
    with translation.override("ja"):
        assert resident_date(day) == "2026年11月2日（月）"
    with translation.override("en"):
        assert resident_date(day) == "Mon 2 Nov 2026"


def test_consultation_page_dates_come_from_the_phases(open_consultation):
    html = Client().get(open_consultation.url).content.decode()
    phases = list(open_consultation.phases.all())
    header = html.split('class="consultation-period">')[1].split("</span>")[0]
    with translation.override("ja"):
        assert header == f"{resident_date(phases[0].first_day)} 〜 {resident_date(open_consultation.last_day)}"
        assert open_consultation.last_day == phases[-2].last_day  # the open-ended "closed" phase adds no end
    assert JA_DATE.search(header)
    shown = re.findall(r'class="meta phase-dates">(.*?)</span>', html)
    assert len(shown) == len(phases)
    # Neighbouring phases do not share a day: the next one starts the day after the last day of the previous.
    for before, after in zip(phases, phases[1:], strict=False):
        assert after.first_day == before.last_day + timedelta(days=1)
    proposals = open_consultation.current_phase()
    days = (proposals.last_day - timezone.localdate()).days
    assert f"あと{days}日" in html


def test_home_card_gives_the_current_phase_end_not_the_consultation_end(open_consultation):
    html = Client().get("/").content.decode()
    card = html.split(open_consultation.title)[1].split("</li>")[0]
    phase = open_consultation.current_phase()
    with translation.override("ja"):
        assert f"{resident_date(phase.last_day)} まで" in card
        assert resident_date(open_consultation.last_day) not in card


def test_schedule_errors_for_overlap_gap_and_open_end():
    t = timezone.now()
    ok = [(PhaseKind.PROPOSALS, t, t + timedelta(days=10)), (PhaseKind.SUPPORT, t + timedelta(days=10), None)]
    assert phase_schedule_errors(ok) == []
    overlap = [(PhaseKind.PROPOSALS, t, t + timedelta(days=10)), (PhaseKind.SUPPORT, t + timedelta(days=5), None)]
    gap = [(PhaseKind.PROPOSALS, t, t + timedelta(days=10)), (PhaseKind.SUPPORT, t + timedelta(days=12), None)]
    open_ended = [(PhaseKind.PROPOSALS, t, None), (PhaseKind.SUPPORT, t + timedelta(days=12), None)]
    with translation.override("ja"):
        assert "重なっています" in phase_schedule_errors(overlap)[0]
        assert "空白期間" in phase_schedule_errors(gap)[0]
        assert "重なっています" in phase_schedule_errors(open_ended)[0]


def test_admin_refuses_overlapping_phases_in_japanese(open_consultation, staff_user):
    from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

    page = ConsultationPage.objects.get(pk=open_consultation.pk)
    staff_user.is_superuser = True
    staff_user.preferred_language = "ja"
    staff_user.save()
    client = Client(HTTP_ACCEPT_LANGUAGE="ja")
    client.force_login(staff_user)
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    fmt = "%Y-%m-%d %H:%M"
    data = nested_form_data({
        "title": page.title, "slug": page.slug, "summary": page.summary, "body": streamfield([]),
        "supports_per_user": 0, "proposals_per_user": 0, "support_threshold": 0,
        "map_latitude": page.map_latitude, "map_longitude": page.map_longitude, "map_zoom": page.map_zoom,
        "categories": inline_formset([]),
        "phases": inline_formset([
            {"kind": "proposals", "title": "", "starts_at": start.strftime(fmt),
             "ends_at": (start + timedelta(days=20)).strftime(fmt)},
            {"kind": "support", "title": "", "starts_at": (start + timedelta(days=10)).strftime(fmt),
             "ends_at": (start + timedelta(days=30)).strftime(fmt)},
        ]),
    })
    response = client.post(f"/admin/pages/{page.pk}/edit/", data)
    body = response.content.decode()
    assert response.status_code == 200, response.status_code
    assert "期間が重なっています" in body
