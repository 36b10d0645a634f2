import json

import pytest
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

from proposals import services
from proposals.models import Comment, Proposal
from tests.proposals.factories import make_comment, make_proposal

pytestmark = pytest.mark.django_db


def api_client(user=None):
    client = Client(enforce_csrf_checks=True)
    if user:
        client.force_login(user)
    client.cookies["csrftoken"] = _get_new_csrf_string()
    return client


def post(client, url, data=None, method="post"):
    token = client.cookies["csrftoken"].value if "csrftoken" in client.cookies else ""
    return getattr(client, method)(url, data=json.dumps(data or {}), content_type="application/json",
                                   HTTP_X_CSRFTOKEN=token)


def test_list_paginated_sorted_filtered(open_consultation, resident, other_resident):
    a = make_proposal(open_consultation, resident, title="ベンチを増やす", category="green")
    b = make_proposal(open_consultation, resident, title="照明を明るく", body="夜が暗い")
    services.support_add(proposal=b, user=other_resident)
    client = api_client(other_resident)
    data = client.get(f"/api/v1/consultations/{open_consultation.pk}/proposals?sort=supported").json()
    assert data["count"] == 2 and data["page"] == 1 and data["pages"] == 1
    assert [p["id"] for p in data["items"]] == [b.pk, a.pk]
    assert data["items"][0]["supported_by_me"] is True and data["items"][0]["supports"] == 1
    assert [p["id"] for p in client.get(f"/api/v1/consultations/{open_consultation.pk}/proposals?q=暗い").json()["items"]] == [b.pk]
    assert [p["id"] for p in client.get(f"/api/v1/consultations/{open_consultation.pk}/proposals?category=green").json()["items"]] == [a.pk]
    r1 = client.get(f"/api/v1/consultations/{open_consultation.pk}/proposals?sort=random").json()
    r2 = client.get(f"/api/v1/consultations/{open_consultation.pk}/proposals?sort=random").json()
    assert [p["id"] for p in r1["items"]] == [p["id"] for p in r2["items"]]


@pytest.mark.parametrize("query,status", [
    ("sort=bogus", 400), ("state=nope", 400), ("page=-1", 200), ("page=1e9", 200), ("page=abc", 400), ("page=nan", 400),
])
def test_list_bad_params(open_consultation, resident, query, status):
    make_proposal(open_consultation, resident)
    r = Client().get(f"/api/v1/consultations/{open_consultation.pk}/proposals?{query}")
    assert r.status_code == status
    if status == 400:
        assert r.json()["detail"]
    else:
        assert r.json()["page"] == 1


def test_list_unknown_consultation():
    assert Client().get("/api/v1/consultations/999999/proposals").status_code == 404


def test_create_via_api(open_consultation, resident):
    client = api_client(resident)
    r = post(client, f"/api/v1/consultations/{open_consultation.pk}/proposals",
             {"title": "<script>alert(1)</script>歩道を広く", "body": "<img src=x onerror=alert(1)>通学路です"})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["title"] == "<script>alert(1)</script>歩道を広く" and body["url"] == f"http://testserver/proposals/{body['id']}/"
    page = client.get(body["url"]).content.decode()
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;歩道を広く" in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_create_errors(open_consultation, support_consultation, resident):
    anon = Client()
    assert anon.post(f"/api/v1/consultations/{open_consultation.pk}/proposals", data="{}", content_type="application/json").status_code == 401
    client = api_client(resident)
    assert post(client, f"/api/v1/consultations/{open_consultation.pk}/proposals", {"title": "x" * 151, "body": "b"}).status_code == 400
    assert post(client, f"/api/v1/consultations/{open_consultation.pk}/proposals", {"title": "t"}).status_code == 400
    r = post(client, f"/api/v1/consultations/{support_consultation.pk}/proposals", {"title": "t", "body": "b"})
    assert r.status_code == 403 and r.json()["detail"]
    no_csrf = Client(enforce_csrf_checks=True)
    no_csrf.force_login(resident)
    assert no_csrf.post(f"/api/v1/consultations/{open_consultation.pk}/proposals", data='{"title":"t","body":"b"}',
                        content_type="application/json").status_code in (401, 403)
    assert not Proposal.objects.exists()


def test_support_endpoints(open_consultation, resident, other_resident):
    p = make_proposal(open_consultation, resident)
    assert Client().post(f"/api/v1/proposals/{p.pk}/support").status_code == 401
    client = api_client(other_resident)
    r = post(client, f"/api/v1/proposals/{p.pk}/support")
    assert r.status_code == 201 and r.json()["supports"] == 1
    r = post(client, f"/api/v1/proposals/{p.pk}/support")
    assert r.status_code == 409 and r.json()["code"] == "already_supported"
    detail = client.get(f"/api/v1/proposals/{p.pk}").json()
    assert detail["supports"] == 1 and detail["supported_by_me"] is True and detail["state"] == "published"
    r = post(client, f"/api/v1/proposals/{p.pk}/support", method="delete")
    assert r.status_code == 200 and r.json()["supports"] == 0
    assert post(client, f"/api/v1/proposals/{p.pk}/support", method="delete").status_code == 409
    services.proposal_withdraw(proposal=p, user=resident)
    r = post(client, f"/api/v1/proposals/{p.pk}/support")
    assert r.status_code == 403 and ("withdrawn" in r.json()["detail"] or "取り下げ" in r.json()["detail"])
    assert post(client, "/api/v1/proposals/999999/support").status_code == 404


def test_support_rate_limited(open_consultation, resident, other_resident, settings):
    settings.RATE_LIMITS_ENABLED = True
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "support": "2/3600"}
    p = make_proposal(open_consultation, resident)
    client = api_client(other_resident)
    codes = [post(client, f"/api/v1/proposals/{p.pk}/support").status_code for _ in range(3)]
    assert codes == [201, 409, 429]


def test_comments_endpoints(open_consultation, resident, other_resident):
    p = make_proposal(open_consultation, resident)
    client = api_client(other_resident)
    r = post(client, f"/api/v1/proposals/{p.pk}/comments", {"body": "<b>賛成</b>", "stance": "for"})
    assert r.status_code == 201 and r.json()["body"] == "<b>賛成</b>"
    parent = r.json()["id"]
    r = post(client, f"/api/v1/proposals/{p.pk}/comments", {"body": "返信", "parent": parent})
    assert r.status_code == 201 and r.json()["depth"] == 2
    assert post(client, f"/api/v1/proposals/{p.pk}/comments", {"body": "x", "stance": "maybe"}).status_code == 400
    assert post(client, f"/api/v1/proposals/{p.pk}/comments", {"body": "x" * 2001}).status_code == 400
    services.comment_delete(comment=Comment.objects.get(pk=parent), user=other_resident)
    data = Client().get(f"/api/v1/proposals/{p.pk}/comments?page=-5").json()
    assert data["count"] == 1
    assert [(c["deleted"], c["body"]) for c in data["items"]] == [(True, ""), (False, "返信")]


def test_other_users_comment_cannot_be_changed(open_consultation, resident, other_resident):
    p = make_proposal(open_consultation, resident)
    c = make_comment(p, resident)
    client = api_client(other_resident)
    assert post(client, f"/api/v1/comments/{c.pk}", {"body": "乗っ取り"}, method="patch").status_code == 403
    assert post(client, f"/api/v1/comments/{c.pk}", method="delete").status_code == 403
    c.refresh_from_db()
    assert c.body == "賛成です。" and c.deleted_at is None
    r = post(client, f"/api/v1/comments/{c.pk}/vote", {"value": -1})
    assert r.status_code == 200 and r.json()["downvotes"] == 1


def test_hidden_proposal_is_404(open_consultation, resident):
    from django.utils import timezone

    p = make_proposal(open_consultation, resident)
    Proposal.objects.filter(pk=p.pk).update(hidden_at=timezone.now())
    p.refresh_from_db()
    services.proposal_visibility_changed(p)  # what moderation calls after hiding (keeps the totals)
    client = Client()
    assert client.get(f"/api/v1/proposals/{p.pk}").status_code == 404
    assert client.get(f"/api/v1/proposals/{p.pk}/comments").status_code == 404
    assert client.get(f"/api/v1/consultations/{open_consultation.pk}/proposals").json()["count"] == 0


def test_openapi_lists_endpoints():
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/consultations/{consultation_id}/proposals", "/api/v1/proposals/{proposal_id}",
                 "/api/v1/proposals/{proposal_id}/support", "/api/v1/proposals/{proposal_id}/comments"):
        assert path in paths
