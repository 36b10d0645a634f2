"""Council dashboard: roles, figures from the registry, charts with data tables, exports."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.test import Client
from django.urls import reverse

from participation.dashboard import selectors as dashboard
from participation.moderation import services as moderation
from tests.participation.helpers import make_comment, make_proposal


def client_for(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def activity(open_consultation, resident, other_resident):
    proposal = make_proposal(resident, open_consultation)
    make_comment(proposal, other_resident)
    make_comment(proposal, resident)
    return proposal


@pytest.mark.parametrize(("role", "status"), [
    ("anonymous", 302), ("resident", 403), ("moderator", 403), ("council", 200), ("staff", 200),
])
def test_dashboard_and_exports_by_role(role, status, resident, moderator, staff_user, council_member, activity):
    users = {"anonymous": None, "resident": resident, "moderator": moderator, "council": council_member, "staff": staff_user}
    client = client_for(users[role])
    assert client.get("/dashboard/").status_code == status
    assert client.get("/en/dashboard/").status_code == status
    for table in ("totals", "kpis", "per_consultation", "daily", "reports_by_status"):
        for fmt in ("csv", "json"):
            response = client.get(reverse("dashboard:export", args=[table, fmt]))
            assert response.status_code == status, (table, fmt)


def test_resident_is_refused_without_redirect(resident):
    response = client_for(resident).get("/dashboard/", follow=False)
    assert response.status_code == 403


def test_dashboard_shows_totals_kpis_per_consultation_and_charts(council_member, activity, open_consultation):
    response = client_for(council_member).get("/dashboard/")
    tables = response.context["tables"]
    totals = {row["key"]: row["value"] for row in tables["totals"]["rows"]}
    assert totals["proposals"] == 1 and totals["comments"] == 2
    kpis = {row["key"]: row["value"] for row in tables["kpis"]["rows"]}
    assert kpis["opinion_posts"] == 3
    assert kpis["registered_users"] >= 3
    assert kpis["consultations"] == 3
    row = next(r for r in tables["per_consultation"]["rows"] if r["consultation_id"] == open_consultation.pk)
    assert row["proposals"] == 1 and row["comments"] == 2 and row["title"] == open_consultation.title
    body = response.content.decode()
    assert "<svg" in body and "<table" in body and "dashboard.js" in body
    assert "style=" not in body and "<script>" not in body  # CSP: no inline styles or scripts
    assert {"reports_by_status", "reports_by_category", "median_days_to_fix"} <= set(tables)
    today = tables["daily"]["rows"][-1]
    assert today["proposals"] == 1 and today["comments"] == 2
    assert today["cumulative_opinion_posts"] == 3


def test_hidden_comments_leave_the_counts(council_member, activity, moderator):
    comment = activity.comments.first()
    moderation.item_hide(actor=moderator, kind="comment", object_id=comment.pk, reason="x")
    totals = {row["key"]: row["value"] for row in dashboard.totals()}
    assert totals["comments"] == 1


def test_exports_csv_and_json(council_member, activity):
    client = client_for(council_member)
    response = client.get(reverse("dashboard:export", args=["totals", "csv"]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert {r["key"]: r["value"] for r in rows}["comments"] == "2"
    data = json.loads(client.get(reverse("dashboard:export", args=["per_consultation", "json"])).content)
    assert data["table"] == "per_consultation" and data["rows"]
    assert client.get("/dashboard/export/nope.csv").status_code == 404
    assert client.get("/dashboard/export/totals.xlsx").status_code == 404
    assert client.get("/dashboard/", {"days": "abc"}).status_code == 200
    assert client.get("/dashboard/", {"days": "100000"}).context["days"] == 30


def test_consultation_title_markup_is_text_and_csv_safe(council_member, open_consultation):
    open_consultation.title = '=1+1<script>alert("x")</script>'
    open_consultation.save()
    client = client_for(council_member)
    body = client.get("/dashboard/").content.decode()
    assert '<script>alert("x")' not in body and "&lt;script&gt;" in body
    text = b"".join(client.get(reverse("dashboard:export", args=["per_consultation", "csv"])).streaming_content).decode("utf-8-sig")
    assert "'=1+1<script>" in text
    assert "\n=1+1" not in text and ",=1+1" not in text


def test_chart_geometry():
    import datetime as dt

    points = [(dt.date(2026, 1, d), n) for d, n in ((1, 0), (2, 5), (3, 10))]
    chart = dashboard.chart(points)
    assert chart["max"] == 10
    assert chart["bars"][0]["h"] == 0 and chart["bars"][2]["h"] > chart["bars"][1]["h"]
    assert len(chart["labels"]) == 3
    assert dashboard.chart([])["bars"] == []


def test_a_failing_metric_does_not_break_the_dashboard(council_member, monkeypatch):
    from participation.core.registry import MetricSpec, registry

    def broken():
        raise RuntimeError("metric down")

    monkeypatch.setitem(registry.metrics, "broken", MetricSpec(label="Broken", total=broken, per_consultation=broken,
                                                               daily=lambda since: broken()))
    assert client_for(council_member).get("/dashboard/").status_code == 200


def test_live_payload_has_counts_only(activity):
    payload = dashboard.live_payload()
    assert payload["type"] == "dashboard.counts"
    assert payload["totals"]["comments"] == 2
    assert set(payload["kpis"]) == {"consultations", "registered_users", "opinion_posts"}
