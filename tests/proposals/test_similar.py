"""GET /api/v1/consultations/{id}/similar — similar proposals by meaning (proposals/similar.py); never an error."""

import pytest
from django.utils import timezone

from participation.core.predicates import RESIDENT
from proposals import services
from proposals.models import Proposal
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

TEXTS = [
    "公園の遊具を新しくしてほしい",
    "公園にベンチを増やしてください",
    "公園のトイレをきれいにしてほしい",
    "公園の照明を明るくしてほしい",
    "バスの本数を増やしてほしい",
    "バス停に屋根を付けて",
    "夜遅くまでバスを走らせて",
    "図書館の開館時間を延ばして",
    "図書館に自習室を増やして",
    "図書館で電子書籍を借りたい",
]


def url(consultation_id):
    return f"/api/v1/consultations/{consultation_id}/similar"


@pytest.fixture
def proposals(open_consultation, settings):
    settings.RATE_LIMITS_ENABLED = False
    open_consultation.proposals_per_user = 0
    open_consultation.save()
    made = []
    for i, text in enumerate(TEXTS):
        author = make_user(f"similar{i}", RESIDENT)
        made.append(services.proposal_create(author=author, consultation=open_consultation, title=text, body=text))
    return made


def test_similar_proposals_in_japanese(client, open_consultation, proposals):
    response = client.get(url(open_consultation.pk), {"text": "公園の遊具が古いので新しくしてほしい"})
    assert response.status_code == 200
    data = response.json()
    assert 1 <= len(data) <= 5
    assert set(data[0]) == {"id", "title", "url", "score"}
    assert data[0]["id"] == proposals[0].pk
    assert data[0]["url"] == proposals[0].get_absolute_url()
    assert all("公園" in item["title"] for item in data[:2])
    assert [d["score"] for d in data] == sorted((d["score"] for d in data), reverse=True)


def test_an_english_copy_id_answers_like_the_japanese_page(client, open_consultation, proposals):
    english = open_consultation.get_translations().filter(locale__language_code="en").first()
    if english is None:
        pytest.fail("the demo pages have an English copy")
    text = {"text": "図書館の開館時間を延ばしてほしい"}
    assert client.get(url(english.pk), text).json() == client.get(url(open_consultation.pk), text).json()


def test_hidden_and_withdrawn_proposals_are_never_suggested(client, open_consultation, proposals):
    Proposal.objects.filter(pk=proposals[0].pk).update(hidden_at=timezone.now())
    services.proposal_withdraw(proposal=proposals[1], user=proposals[1].author)
    data = client.get(url(open_consultation.pk), {"text": "公園の遊具を新しくしてほしい"}).json()
    ids = [d["id"] for d in data]
    assert proposals[0].pk not in ids and proposals[1].pk not in ids


def test_falls_back_to_tfidf_without_the_model(client, open_consultation, proposals, monkeypatch):
    def broken():
        raise RuntimeError("model not loaded")

    monkeypatch.setattr("participation.analysis.suggestions.suggestion_embedder", broken)
    data = client.get(url(open_consultation.pk), {"text": "図書館の開館時間を延ばして"}).json()
    assert data and data[0]["id"] == proposals[7].pk


@pytest.mark.parametrize("text", ["", "a", " "])
def test_short_text_returns_nothing(client, open_consultation, proposals, text):
    assert client.get(url(open_consultation.pk), {"text": text}).json() == []


def test_unknown_consultation_and_failures_return_an_empty_list(client, open_consultation, proposals, monkeypatch):
    assert client.get(url(999999), {"text": "公園の遊具"}).json() == []

    def failing(**kwargs):
        raise RuntimeError("ranking broken")

    monkeypatch.setattr("participation.analysis.suggestions.rank_similar", failing)
    response = client.get(url(open_consultation.pk), {"text": "公園の遊具"})
    assert response.status_code == 200 and response.json() == []
