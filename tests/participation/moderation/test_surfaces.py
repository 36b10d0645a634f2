"""Hidden content disappears from every surface and returns intact on unhide: pages, API, map GeoJSON,
Open311, open data, analysis input. Blocked authors' content likewise."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.test import Client

from participation.core.registry import registry
from participation.moderation import services as moderation
from tests.participation.helpers import make_comment, make_proposal

SECRET = "ふくろう公園の秘密のコメント"


@pytest.fixture
def comment(open_consultation, resident, other_resident):
    return make_comment(make_proposal(other_resident, open_consultation), resident, body=SECRET)


@pytest.fixture
def report(resident):
    from reports_map.demo import seed_categories
    from reports_map.models import Category
    from reports_map.services import report_create

    seed_categories()
    lat, lon = settings.CITY["center"]
    return report_create(author=resident, category=Category.objects.filter(active=True).first(), latitude=lat,
                         longitude=lon, description="歩道の段差が危ない ふくろう")


def comment_surfaces(comment, consultation_id) -> dict[str, bool]:
    """Whether the comment's text (or id) shows on each surface."""
    client = Client()
    reader = Client()
    from participation.models import User

    reader.force_login(User.objects.get(username="bob"))
    api = reader.get(f"/api/v1/proposals/{comment.proposal_id}/comments").json()["items"]
    opinion = list(registry.opinion_sources["proposals"].items(consultation_id))
    return {
        "detail page": SECRET in client.get(comment.proposal.get_absolute_url()).content.decode(),
        "api": comment.pk in [c["id"] for c in api],
        "open data json": SECRET in client.get("/open-data/comments.json").content.decode(),
        "open data csv": SECRET in b"".join(client.get("/open-data/comments.csv").streaming_content).decode("utf-8-sig"),
        "analysis input": any(SECRET in item["text"] for item in opinion),
    }


def test_hidden_comment_leaves_every_surface_and_returns(comment, moderator, open_consultation):
    assert all(comment_surfaces(comment, open_consultation.pk).values())
    moderation.item_hide(actor=moderator, kind="comment", object_id=comment.pk, reason="個人情報")
    assert not any(comment_surfaces(comment, open_consultation.pk).values()), comment_surfaces(comment, open_consultation.pk)
    moderation.item_unhide(actor=moderator, kind="comment", object_id=comment.pk)
    assert all(comment_surfaces(comment, open_consultation.pk).values())


def test_blocked_author_leaves_every_surface_and_returns(comment, moderator, resident, open_consultation):
    moderation.user_block(actor=moderator, user_id=resident.pk, reason="荒らし")
    assert not any(comment_surfaces(comment, open_consultation.pk).values())
    moderation.user_unblock(actor=moderator, user_id=resident.pk)
    assert all(comment_surfaces(comment, open_consultation.pk).values())


def report_surfaces(report) -> dict[str, bool]:
    client = Client()
    geo = client.get("/reports/geojson/").json()
    open311 = json.loads(client.get("/open311/v2/requests.json").content)
    return {
        "detail page": client.get(f"/reports/{report.pk}/").status_code == 200,
        "map geojson": "ふくろう" in json.dumps(geo, ensure_ascii=False) or report.pk in _ids(geo),
        "open311": any(str(r.get("service_request_id")) == str(report.pk) for r in open311),
        "open data": report.pk in [f["properties"]["id"] for f in client.get("/open-data/reports.geojson").json()["features"]],
    }


def _ids(geo) -> list:
    ids = []
    for feature in geo.get("features", []):
        props = feature.get("properties", {})
        ids.append(props.get("id"))
    return ids


def test_hidden_report_leaves_every_surface_and_returns(report, moderator):
    before = report_surfaces(report)
    assert all(before.values()), before
    moderation.item_hide(actor=moderator, kind="report", object_id=report.pk, reason="個人情報")
    hidden = report_surfaces(report)
    assert not any(hidden.values()), hidden
    moderation.item_unhide(actor=moderator, kind="report", object_id=report.pk)
    assert all(report_surfaces(report).values())
