"""The report form's nearby check adds text similarity (meaning) to distance and category.

The JSON endpoint is what the form calls asynchronously while the resident types; without the model
(or on any failure) it answers as before: nearby reports of the category, nearest first.
"""

import pytest
from django.urls import reverse

from reports_map import selectors
from tests.participation.analysis.workers import run_suggestions_worker
from tests.reports_map.conftest import CENTER

pytestmark = pytest.mark.django_db

# ~0.0001 degree of latitude is ~11 m
NEAR = [
    ("歩道の植え込みの枝が伸びて通れない", 0.0001),  # nearest, different problem
    ("歩道に自転車が放置されている", 0.0003),
    ("歩道のアスファルトがへこんで穴になっている", 0.0012),  # ~130 m, the same problem in other words
    ("歩道に穴があります", 0.0018),  # ~200 m, the same problem
]


@pytest.fixture
def nearby_reports(resident, make_report):
    return [make_report(resident, lat=CENTER[0] + offset, description=text) for text, offset in NEAR]


def nearby(client, category, **params):
    query = {"category_id": category.pk, "lat": CENTER[0], "lon": CENTER[1], **params}
    response = client.get(reverse("reports_map:nearby"), query)
    assert response.status_code == 200
    return response.json()["reports"]


def test_without_text_the_order_is_by_distance(client, nearby_reports, category, monkeypatch):
    def must_not_run(**kwargs):
        raise AssertionError("no text, no meaning check")

    monkeypatch.setattr("participation.analysis.suggestions.rank_similar", must_not_run)
    found = nearby(client, category)
    assert [r["id"] for r in found] == [r.pk for r in nearby_reports]
    assert not any(r["similar"] for r in found) and all(r["score"] is None for r in found)


def test_japanese_description_puts_the_same_problem_first(client, nearby_reports, category):
    found = nearby(client, category, text="歩道に大きな穴があります")
    ids = [r["id"] for r in found]
    pothole, other_words = nearby_reports[3].pk, nearby_reports[2].pk
    assert ids[0] == pothole and ids[1] == other_words  # by meaning, although farther away
    assert set(ids) == {r.pk for r in nearby_reports}  # meaning ranks, it never hides a nearby report
    assert found[0]["similar"] is True
    assert not any(r["similar"] for r in found if r["id"] in (nearby_reports[0].pk, nearby_reports[1].pk))
    scores = [r["score"] for r in found if r["score"] is not None]
    assert scores == sorted(scores, reverse=True)


def test_other_categories_and_far_reports_stay_out(
    client, resident, make_report, nearby_reports, category, other_category
):
    make_report(resident, description="歩道に大きな穴があります", cat=other_category)
    make_report(resident, lat=CENTER[0] + 0.01, description="歩道に大きな穴があります")  # ~1.1 km
    found = nearby(client, category, text="歩道に大きな穴があります")
    assert {r["id"] for r in found} == {r.pk for r in nearby_reports}


def test_the_worker_embeds_while_the_form_shows_the_distance_order(client, nearby_reports, category, task_queue,
                                                                   monkeypatch):
    url = reverse("reports_map:nearby")
    query = {"category_id": category.pk, "lat": CENTER[0], "lon": CENTER[1], "text": "歩道に大きな穴があります"}
    first = client.get(url, query).json()
    assert first["pending"] is True  # the form asks again in a second
    assert {r["id"] for r in first["reports"]} == {r.pk for r in nearby_reports}
    run_suggestions_worker(monkeypatch)
    ready = client.get(url, query).json()
    assert ready["pending"] is False
    assert ready["reports"][0]["id"] == nearby_reports[3].pk and ready["reports"][0]["similar"] is True


def test_without_the_model_tfidf_still_ranks(client, nearby_reports, category, monkeypatch):
    def not_loaded():
        raise RuntimeError("model not loaded")

    monkeypatch.setattr("participation.analysis.suggestions.suggestion_embedder", not_loaded)
    found = nearby(client, category, text="歩道に大きな穴があります")
    assert found[0]["id"] == nearby_reports[3].pk and found[0]["similar"] is True
    assert {r["id"] for r in found} == {r.pk for r in nearby_reports}


def test_when_ranking_fails_the_check_works_as_before(client, nearby_reports, category, monkeypatch):
    def broken_tfidf(*args, **kwargs):
        raise ValueError("broken")

    monkeypatch.setattr("participation.analysis.suggestions.suggestion_embedder", lambda: (_ for _ in ()).throw(RuntimeError()))
    monkeypatch.setattr("ml.similar.by_tfidf", broken_tfidf)
    found = nearby(client, category, text="歩道に大きな穴があります")
    assert not any(r["similar"] for r in found)
    # Distance (and the character-bigram overlap) order, exactly as without text similarity.
    expected = selectors.reports_nearby(
        category=category, latitude=CENTER[0], longitude=CENTER[1], text="歩道に大きな穴があります"
    )
    assert [r["id"] for r in found] == [r.pk for r in expected]


@pytest.mark.parametrize("text", ["", "  ", "穴"])
def test_short_text_is_the_distance_check(client, nearby_reports, category, text):
    found = nearby(client, category, text=text)
    assert not any(r["similar"] for r in found)


def test_long_text_is_cut_not_refused(client, nearby_reports, category):
    found = nearby(client, category, text="歩道に大きな穴があります。" * 400)
    assert found and found[0]["id"] == nearby_reports[3].pk


def test_bad_input_gets_a_clear_answer(client, nearby_reports, category):
    url = reverse("reports_map:nearby")
    assert client.get(url, {"category_id": category.pk, "lat": "x", "lon": "y", "text": "穴"}).status_code == 400
    assert client.get(url, {"category_id": 999999, "lat": CENTER[0], "lon": CENTER[1], "text": "穴が"}).json() == {
        "reports": []
    }
    outside = client.get(url, {"category_id": category.pk, "lat": 0, "lon": 0, "text": "歩道に穴"}).json()
    assert outside == {"reports": []}


def test_the_form_files_a_report_without_the_model(client, resident, nearby_reports, category, monkeypatch):
    """Filing never waits for the meaning check: the form posts and goes to the usual confirmation."""

    def must_not_run(**kwargs):
        raise AssertionError("filing does not rank by meaning")

    monkeypatch.setattr("participation.analysis.suggestions.rank_similar", must_not_run)
    client.force_login(resident)
    page = client.get(reverse("reports_map:new")).content.decode()
    assert 'id="id_description"' in page and "reports_map/report_form.js" in page
    response = client.post(
        reverse("reports_map:new"),
        {
            "category": category.pk,
            "latitude": str(CENTER[0]),
            "longitude": str(CENTER[1]),
            "description": "歩道に大きな穴があります",
            "address": "駅前",
        },
    )
    assert response.status_code == 302 and "/confirm/" in response["Location"]
