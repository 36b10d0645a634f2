"""GET /api/v1/consultations/{id}/similar — similar proposals by meaning; never an error."""

import pytest

pytestmark = pytest.mark.django_db


def url(consultation_id):
    return f"/api/v1/consultations/{consultation_id}/similar"


def test_similar_proposals_in_japanese(client, open_consultation, fake_source):
    response = client.get(url(open_consultation.pk), {"text": "公園の遊具が古いので新しくしてほしい"})
    assert response.status_code == 200
    data = response.json()
    assert 1 <= len(data) <= 5
    assert set(data[0]) == {"id", "title", "url", "score"}
    assert data[0]["id"] == 1  # "公園の遊具を新しくしてほしい"
    assert all("公園" in item["title"] for item in data[:2])
    assert [d["score"] for d in data] == sorted((d["score"] for d in data), reverse=True)


def test_similar_proposals_in_english(client, open_consultation, fake_source):
    fake_source.texts = {
        "p1": "More buses in the evening please",
        "p2": "Longer library opening hours",
        "p3": "New swings for the playground",
        "p4": "Repair the potholes on the main road",
    }
    data = client.get(url(open_consultation.pk), {"text": "The bus should run later at night"}).json()
    assert data and data[0]["id"] == 1


def test_hidden_proposals_are_never_suggested(client, open_consultation, fake_source):
    fake_source.hidden = {"p1"}
    data = client.get(url(open_consultation.pk), {"text": "公園の遊具を新しくしてほしい"}).json()
    assert 1 not in [d["id"] for d in data]


def test_falls_back_to_tfidf_without_the_model(client, open_consultation, fake_source, monkeypatch):
    def broken():
        raise RuntimeError("model not loaded")

    monkeypatch.setattr("participation.suggestions.suggestion_embedder", broken)
    data = client.get(url(open_consultation.pk), {"text": "図書館の開館時間を延ばして"}).json()
    assert data and data[0]["id"] == 13


@pytest.mark.parametrize("text", ["", "a", " "])
def test_short_text_returns_nothing(client, open_consultation, fake_source, text):
    assert client.get(url(open_consultation.pk), {"text": text}).json() == []


def test_unknown_consultation_and_failures_return_an_empty_list(client, open_consultation, fake_source):
    assert client.get(url(999999), {"text": "公園の遊具"}).json() == []
    fake_source.fail = True
    response = client.get(url(open_consultation.pk), {"text": "公園の遊具"})
    assert response.status_code == 200 and response.json() == []


def test_non_numeric_id_is_a_client_error(client):
    assert client.get("/api/v1/consultations/abc/similar", {"text": "x"}).status_code in (400, 404, 422)


def test_rank_similar_for_other_forms(db):
    from participation.suggestions import rank_similar

    candidates = [(1, "道路に穴が開いていて危ない"), (2, "公園のベンチが壊れている"), (3, "街灯が切れて夜道が暗い")]
    ranked = rank_similar(text="道路の穴ぼこを直してほしい", candidates=candidates, min_score=0.0)
    assert ranked.method == "meaning" and not ranked.pending
    assert ranked.matches[0][0] == 1
    assert rank_similar(text="x", candidates=candidates).matches == []
    assert rank_similar(text="道路の穴", candidates=[]).matches == []
