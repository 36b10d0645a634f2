"""Issue 12, sharp edge 10: triage shows open reports, newest first, by default; a resolved report's age
stops at its resolution."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reports_map.models import Report
from reports_map.services import report_update_post
from tests.reports_map.conftest import CENTER

pytestmark = pytest.mark.django_db


def make(author, category, days_ago, text):
    from reports_map.services import report_create

    report = report_create(author=author, category=category, latitude=CENTER[0], longitude=CENTER[1], description=text)
    Report.objects.filter(pk=report.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    return report


def test_triage_defaults_to_open_reports_newest_first_and_stops_the_clock(resident, staff_user):
    from reports_map.models import Category, ReportUpdate

    category = Category.objects.get(service_code="road-pothole")
    old = make(resident, category, 30, "古い穴があります")
    new = make(resident, category, 1, "新しい穴があります")
    fixed = make(resident, category, 79, "直った穴がありました")
    report_update_post(report=fixed, actor=staff_user, status="fixed", text="補修しました")
    ReportUpdate.objects.filter(report=fixed).update(created_at=timezone.now() - timedelta(days=70))
    client = Client()
    client.force_login(staff_user)
    response = client.get(reverse("reports_map:triage"))
    rows = [r.pk for r in response.context["page_obj"]]
    assert rows == [new.pk, old.pk]  # open only, newest first
    everything = client.get(reverse("reports_map:triage") + "?status=")
    ages = {r.pk: r.age_days for r in everything.context["page_obj"]}
    assert ages[fixed.pk] == 9  # filed 79 days ago, fixed 70 days ago: the clock stopped at 9
    assert ages[old.pk] == 30
