"""Open data: public page with licence and data dictionary; CSV/JSON/GeoJSON; hidden content excluded."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from participation.core.text import csv_safe
from participation.moderation import services as moderation
from tests.participation.helpers import make_comment, make_proposal


@pytest.fixture
def content(open_consultation, resident, other_resident):
    proposal = make_proposal(resident, open_consultation)
    shown = make_comment(proposal, other_resident, body="表示されるコメント")
    hidden = make_comment(proposal, other_resident, body="=HYPERLINK(\"http://evil\") 隠されるコメント")
    return proposal, shown, hidden


@pytest.fixture
def report(resident):
    from reports_map.demo import seed_categories
    from reports_map.models import Category
    from reports_map.services import report_create

    seed_categories()
    lat, lon = settings.CITY["center"]
    return report_create(author=resident, category=Category.objects.filter(active=True).first(), latitude=lat,
                         longitude=lon, description="道路に穴があります 私の電話は090-0000-0000")


def rows_of_csv(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_page_is_public_with_licence_and_data_dictionary(db):
    response = Client().get("/open-data/")
    assert response.status_code == 200
    body = response.content.decode()
    assert settings.OPEN_DATA_LICENSE in body and settings.OPEN_DATA_LICENSE_URL in body
    for key in ("proposals", "comments", "reports"):
        assert f"/open-data/{key}.csv" in body and f"/open-data/{key}.json" in body
    assert "/open-data/reports.geojson" in body
    assert Client().get("/en/open-data/").status_code == 200


def test_licence_is_a_setting(db, settings):
    settings.OPEN_DATA_LICENSE = "CC0 1.0"
    settings.OPEN_DATA_LICENSE_URL = "https://creativecommons.org/publicdomain/zero/1.0/"
    assert "CC0 1.0" in Client().get("/open-data/").content.decode()
    assert json.loads(Client().get("/open-data/comments.json").content)["license"]["name"] == "CC0 1.0"


def test_hidden_content_is_excluded_and_authors_pseudonymised(content, moderator, resident, other_resident):
    proposal, shown, hidden = content
    moderation.item_hide(actor=moderator, kind="comment", object_id=hidden.pk, reason="x")
    client = Client()
    data = json.loads(client.get("/open-data/comments.json").content)
    ids = [row["id"] for row in data["rows"]]
    assert shown.pk in ids and hidden.pk not in ids
    assert set(data["fields"]) >= {"id", "body", "author"}
    csv_rows = rows_of_csv(client.get("/open-data/comments.csv"))
    assert [int(r["id"]) for r in csv_rows] == [shown.pk]
    everything = json.dumps(data, ensure_ascii=False) + client.get("/open-data/proposals.json").content.decode()
    for user in (resident, other_resident):
        assert user.username not in everything and user.email not in everything
    # unhide: it comes back intact
    moderation.item_unhide(actor=moderator, kind="comment", object_id=hidden.pk)
    rows = {int(r["id"]): r for r in rows_of_csv(client.get("/open-data/comments.csv"))}
    assert hidden.pk in rows
    assert rows[hidden.pk]["body"].startswith("'=HYPERLINK")  # defused for spreadsheets


def test_blocked_authors_are_excluded(content, moderator, other_resident):
    moderation.user_block(actor=moderator, user_id=other_resident.pk, reason="荒らし")
    data = json.loads(Client().get("/open-data/comments.json").content)
    assert data["rows"] == []


def test_reports_geojson_has_points_and_no_personal_data(report, resident, moderator):
    response = Client().get("/open-data/reports.geojson")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/geo+json")
    data = json.loads(response.content)
    assert data["type"] == "FeatureCollection" and data["license"]["name"] == settings.OPEN_DATA_LICENSE
    feature = next(f for f in data["features"] if f["properties"]["id"] == report.pk)
    lon, lat = feature["geometry"]["coordinates"]
    assert feature["geometry"]["type"] == "Point"
    assert round(lat, 4) == round(settings.CITY["center"][0], 4) and round(lon, 4) == round(settings.CITY["center"][1], 4)
    text = response.content.decode()
    assert resident.username not in text and resident.email not in text and "090-0000-0000" not in text
    moderation.item_hide(actor=moderator, kind="report", object_id=report.pk, reason="個人情報")
    data = json.loads(Client().get("/open-data/reports.geojson").content)
    assert report.pk not in [f["properties"]["id"] for f in data["features"]]


def test_unknown_dataset_and_format_are_404(db):
    client = Client()
    assert client.get("/open-data/nothing.csv").status_code == 404
    assert client.get("/open-data/comments.geojson").status_code == 404  # no coordinates
    assert client.get("/open-data/comments.xlsx").status_code == 404


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("ok", "ok"), ("公園", "公園"), (-3, -3), (2.5, 2.5), (None, ""),
])
def test_csv_safe(value, expected):
    assert csv_safe(value) == expected


def test_open_data_link_in_navigation(db):
    assert reverse("opendata:index") in Client().get("/open-data/").content.decode()
