"""POST /api/v1/flags — the contract in issue 6 and every bad input."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from participation.models import Flag
from tests.participation.helpers import make_comment, make_proposal, residents


@pytest.fixture
def comment(open_consultation, resident, other_resident):
    return make_comment(make_proposal(other_resident, open_consultation), resident)


def post_flag(client, payload, **extra):
    return client.post("/api/v1/flags", data=json.dumps(payload), content_type="application/json", **extra)


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_first_flag_201_repeats_200_one_row(comment, other_resident):
    client = logged_in(other_resident)
    codes = [post_flag(client, {"kind": "comment", "id": comment.pk, "reason": "spam"}).status_code for _ in range(10)]
    assert codes[0] == 201
    assert set(codes[1:]) == {200}
    assert Flag.objects.filter(kind="comment", object_id=comment.pk).count() == 1
    body = post_flag(client, {"kind": "comment", "id": comment.pk, "reason": "spam"}).json()
    assert body["created"] is False and body["object_id"] == comment.pk


def test_three_residents_hide_a_comment_from_the_api(comment, user_factory, settings):
    settings.FLAG_HIDE_THRESHOLD = 3
    anonymous = logged_in(user_factory("reader"))  # a reader who is not one of the flaggers
    listed = [c["id"] for c in anonymous.get(f"/api/v1/proposals/{comment.proposal_id}/comments").json()["items"]]
    assert comment.pk in listed
    for flagger in residents(user_factory, 3):
        assert post_flag(logged_in(flagger), {"kind": "comment", "id": comment.pk, "reason": "offensive"}).status_code == 201
    listed = [c["id"] for c in anonymous.get(f"/api/v1/proposals/{comment.proposal_id}/comments").json()["items"]]
    assert comment.pk not in listed
    proposal = anonymous.get(f"/api/v1/proposals/{comment.proposal_id}").json()
    assert proposal["comments"] == 0


@pytest.mark.parametrize(("payload", "status", "code"), [
    ({"kind": "banana", "id": 1, "reason": "spam"}, 400, "invalid"),
    ({"kind": "comment", "id": "COMMENT", "reason": "spam"}, 400, "invalid"),
    ({"kind": "comment", "reason": "spam"}, 400, "invalid"),
    ({"kind": "comment", "id": "{id}", "reason": "because"}, 400, "invalid"),
    ({"kind": "comment", "id": "{id}", "reason": "spam", "details": "x" * 1001}, 400, "invalid"),
    ({"kind": "comment", "id": 999999, "reason": "spam"}, 404, "not_found"),
    ({"kind": "user", "id": 999999, "reason": "spam"}, 404, "not_found"),
])
def test_bad_input_is_a_clear_json_error_and_stores_nothing(comment, other_resident, payload, status, code):
    payload = {k: (comment.pk if v == "{id}" else v) for k, v in payload.items()}
    response = post_flag(logged_in(other_resident), payload)
    assert response.status_code == status
    assert response.json()["code"] == code
    assert response.json()["detail"]
    assert not Flag.objects.exists()


def test_unknown_kind_names_the_valid_kinds(comment, other_resident):
    response = post_flag(logged_in(other_resident), {"kind": "banana", "id": comment.pk, "reason": "spam"})
    assert "comment" in response.json()["detail"] and "user" in response.json()["detail"]


def test_anonymous_gets_401(comment):
    response = post_flag(Client(), {"kind": "comment", "id": comment.pk, "reason": "spam"})
    assert response.status_code == 401
    assert not Flag.objects.exists()


def test_csrf_is_required_for_session_writes(comment, other_resident):
    client = Client(enforce_csrf_checks=True)
    client.force_login(other_resident)
    response = post_flag(client, {"kind": "comment", "id": comment.pk, "reason": "spam"})
    assert response.status_code in (401, 403)
    assert not Flag.objects.exists()


def test_own_account_is_400_own_comment_is_allowed(comment, resident):
    client = logged_in(resident)
    response = post_flag(client, {"kind": "user", "id": resident.pk, "reason": "spam"})
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert not Flag.objects.exists()
    assert post_flag(client, {"kind": "comment", "id": comment.pk, "reason": "personal_info"}).status_code == 201


def test_flag_a_user_and_a_proposal(comment, other_resident, resident):
    client = logged_in(other_resident)
    assert post_flag(client, {"kind": "user", "id": resident.pk, "reason": "spam"}).status_code == 201
    proposal = make_proposal(resident, comment.proposal.consultation)
    assert post_flag(client, {"kind": "proposal", "id": proposal.pk, "reason": "off_topic", "details": "<b>x</b>"}).status_code == 201
    assert Flag.objects.get(kind="proposal").details == "<b>x</b>"  # stored as text, escaped on output


def test_rate_limit_429_and_forged_forwarded_for_does_not_reset_it(comment, user_factory, settings):
    settings.RATE_LIMITS_ENABLED = True
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "flag": "2/3600"}
    settings.TRUSTED_PROXY_COUNT = 1
    flagger = user_factory("ratelimited")
    client = logged_in(flagger)
    proxy_chain = "203.0.113.9"
    codes = [
        post_flag(client, {"kind": "comment", "id": comment.pk, "reason": "spam"},
                  HTTP_X_FORWARDED_FOR=f"198.51.100.{i}, {proxy_chain}").status_code
        for i in range(4)
    ]
    assert codes[:2] == [201, 200]
    assert codes[2:] == [429, 429]
    # Another account from the same client IP, forging a different left-most address, is limited too.
    other = logged_in(user_factory("sameip"))
    response = post_flag(other, {"kind": "comment", "id": comment.pk, "reason": "spam"},
                         HTTP_X_FORWARDED_FOR=f"10.0.0.1, 192.0.2.77, {proxy_chain}")
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert response["Retry-After"]
    assert Flag.objects.count() == 1


def test_rate_limit_without_proxies_ignores_the_header(comment, user_factory, settings):
    settings.RATE_LIMITS_ENABLED = True
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "flag": "1/3600"}
    settings.TRUSTED_PROXY_COUNT = 0
    first = logged_in(user_factory("first"))
    second = logged_in(user_factory("second"))
    assert post_flag(first, {"kind": "comment", "id": comment.pk, "reason": "spam"}).status_code == 201
    response = post_flag(second, {"kind": "comment", "id": comment.pk, "reason": "spam"},
                         HTTP_X_FORWARDED_FOR="198.51.100.200")
    assert response.status_code == 429


def test_openapi_documents_the_endpoint():
    schema = Client().get("/api/v1/openapi.json").json()
    assert "/api/v1/flags" in schema["paths"]
