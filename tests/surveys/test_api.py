"""The survey API: same rules as the form; 400 / 403 / 409 for bad input, nothing stored."""

import pytest
from django.test import Client

from surveys import services
from surveys.models import Response
from tests.surveys.conftest import english_copy

pytestmark = pytest.mark.django_db


def post(client, survey, payload):
    return client.post(f"/api/v1/surveys/{survey.pk}/responses", payload, content_type="application/json")


def browser_client(survey):
    client = Client()
    client.get(survey.url)  # the start page hands out the survey cookie
    return client


def test_list_and_detail(client, survey):
    items = client.get("/api/v1/surveys").json()
    ours = [i for i in items if i["canonical_id"] == survey.pk]
    assert {i["language"] for i in ours} == {"ja", "en"}
    detail = client.get(f"/api/v1/surveys/{english_copy(survey).pk}").json()
    assert detail["sections"][0]["questions"][0]["text"] == "Your district"
    assert detail["is_open"] and detail["audience"] == "browser"
    assert "/api/v1/surveys/{survey_id}/responses" in client.get("/api/v1/openapi.json").json()["paths"]


def test_answer_through_the_api(survey, good_answers):
    client = browser_client(survey)
    response = post(client, survey, {"answers": good_answers})
    assert response.status_code == 201, response.content
    assert len(response.json()["id"]) == 16
    again = post(client, survey, {"answers": good_answers})
    assert again.status_code == 409 and again.json()["code"] == "already_answered"
    assert Response.objects.count() == 1


@pytest.mark.parametrize("change", [
    {"nope": "x"}, {"district": "mars"}, {"years": "1000"}, {"one_word": "a" * 51}, {"priorities": "health"},
    {"overall": None}, {"services": "5"},
])
def test_bad_answers_give_400_and_store_nothing(survey, good_answers, change):
    client = browser_client(survey)
    response = post(client, survey, {"answers": {**good_answers, **change}})
    assert response.status_code == 400, response.content
    assert response.json()["detail"]
    assert Response.objects.count() == 0


def test_closed_survey_403(closed_survey, good_answers):
    response = post(browser_client(closed_survey), closed_survey, {"answers": good_answers})
    assert response.status_code == 403 and "終了" in response.json()["detail"]


def test_codes_through_the_api(invitation_survey, good_answers, staff_user):
    code = services.codes_generate(survey=invitation_survey, count=1, user=staff_user)[0]
    client = Client()
    assert post(client, invitation_survey, {"answers": good_answers}).status_code == 403
    assert post(client, invitation_survey, {"answers": good_answers, "code": "ZZZZ-ZZZZ-ZZZZZ"}).status_code == 403
    assert post(client, invitation_survey, {"answers": good_answers, "code": code.display}).status_code == 201
    used = post(Client(), invitation_survey, {"answers": good_answers, "code": code.display})
    assert used.status_code == 409 and used.json()["code"] == "code_used"
    assert Response.objects.count() == 1


def test_signed_in_posts_need_csrf(member_survey, good_answers, resident):
    client = Client(enforce_csrf_checks=True)
    client.force_login(resident)
    assert post(client, member_survey, {"answers": good_answers}).status_code == 403
    client.get(member_survey.url)
    token = client.cookies["csrftoken"].value
    ok = client.post(f"/api/v1/surveys/{member_survey.pk}/responses", {"answers": good_answers},
                     content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert ok.status_code == 201


def test_results_public_only_after_closing(client, survey, closed_survey, good_answers, staff_user):
    assert client.get(f"/api/v1/surveys/{survey.pk}/results").status_code == 403
    services.paper_response_add(survey=closed_survey, raw_answers=good_answers, user=staff_user)
    data = client.get(f"/api/v1/surveys/{closed_survey.pk}/results").json()
    assert data["responses"] == 1
    district = next(q for q in data["questions"] if q["key"] == "district")
    assert {c["value"]: c["count"] for c in district["counts"]}["kita"] == 1
