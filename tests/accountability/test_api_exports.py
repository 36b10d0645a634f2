import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from accountability import services
from accountability.models import Result

pytestmark = pytest.mark.django_db


def test_api_list_and_filters(client, make_result, open_consultation, statuses):
    make_result("遊具更新", status="done", category=open_consultation.categories.get(slug="play"))
    make_result("道路補修", status="in_progress", consultation=None)
    data = client.get("/api/v1/results").json()
    assert data["count"] == 2
    data = client.get("/api/v1/results", {"consultation": open_consultation.pk}).json()
    assert [r["title"] for r in data["items"]] == ["遊具更新"]
    data = client.get("/api/v1/results", {"status": "in_progress"}).json()
    assert [r["title"] for r in data["items"]] == ["道路補修"]
    data = client.get("/api/v1/results", {"category": "play"}).json()
    assert data["items"][0]["progress"] == 100
    response = client.get("/api/v1/results", {"status": "nope"})
    assert response.status_code == 400 and "nope" in response.json()["detail"]


def test_api_detail(client, make_result, staff_user, accepted_proposal, statuses):
    parent = make_result("親")
    child = make_result("子", parent=parent, proposals=[accepted_proposal.pk], places=[("北町", 35.69, 139.56)])
    services.result_post_update(result=child, actor=staff_user, status=statuses["done"], text="完了しました")
    data = client.get(f"/api/v1/results/{parent.pk}").json()
    assert data["progress"] == 100 and data["children"][0]["id"] == child.pk
    data = client.get(f"/api/v1/results/{child.pk}").json()
    assert data["proposals"][0]["id"] == accepted_proposal.pk
    assert data["timeline"][0]["text"] == "完了しました"
    assert data["timeline"][0]["department"] and "actor" not in data["timeline"][0]
    assert data["places"][0]["label"] == "北町"
    assert client.get("/api/v1/results/999999").status_code == 404


def test_api_in_openapi(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/results" in paths and "/api/v1/results/{result_id}" in paths


def test_open_data_exports(client, make_result, staff_user, accepted_proposal, statuses):
    from django.utils import timezone

    from proposals.models import Proposal

    result = make_result("=危険な式", places=[("北町", 35.69, 139.56)], proposals=[accepted_proposal.pk])
    services.result_post_update(result=result, actor=staff_user, status=statuses["in_progress"], text="着工")
    csv_text = b"".join(client.get(reverse("opendata:download", args=["results", "csv"])).streaming_content).decode("utf-8-sig")
    assert "'=危険な式" in csv_text and str(accepted_proposal.pk) in csv_text
    geo = client.get(reverse("opendata:download", args=["results", "geojson"])).json()
    assert geo["features"][0]["geometry"]["coordinates"] == [139.56, 35.69]
    timeline = client.get(reverse("opendata:download", args=["result_timeline", "json"])).json()["rows"]
    assert {"status_from": "planning", "status_to": "in_progress"}.items() <= timeline[-1].items()
    assert "actor" not in timeline[-1]
    # A proposal hidden later disappears from the export.
    Proposal.objects.filter(pk=accepted_proposal.pk).update(hidden_at=timezone.now())
    rows = client.get(reverse("opendata:download", args=["results", "json"])).json()["rows"]
    assert rows[0]["proposal_ids"] == ""


def test_dashboard_tables(client, council_member, make_result, staff_user):
    import datetime as dt

    make_result("遅れている施策", start_date=dt.date(2020, 1, 1), end_date=dt.date(2020, 12, 31))
    make_result("完了した施策", status="done", start_date=dt.date(2020, 1, 1), end_date=dt.date(2020, 12, 31))
    client.force_login(council_member)
    html = client.get(reverse("dashboard:index")).content.decode()
    assert "遅れている施策" in html and "⚠" in html and "完了した施策" not in html.split("遅れている施策")[1][:400]


def test_demo_seeder_idempotent(demo_pages, statuses):
    from participation.management.commands.seed_demo import Command  # noqa: F401

    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    count = Result.objects.count()
    assert count >= 8
    assert Result.objects.filter(external_id="demo-parks-program", children__isnull=False).exists()
    assert Result.objects.filter(report_links__isnull=False).exists()
    assert Result.objects.filter(proposal_links__proposal__state="accepted").count() >= 3
    assert Result.objects.filter(events__image__gt="").exists()
    program = Result.objects.get(external_id="demo-parks-program")
    assert 0 < program.progress < 100
    call_command("seed_demo", stdout=io.StringIO())
    assert Result.objects.count() == count
