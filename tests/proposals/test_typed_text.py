"""What a resident types into a proposal or a comment is what is stored and shown: through the HTML
forms and the JSON API, on the pages (escaped), in the API and in the open-data exports."""

import csv
import io
import json

import pytest
from django.test import Client
from django.utils.html import escape

from proposals.models import Comment, Proposal
from tests.participation.helpers import TYPED, assert_shown_escaped
from tests.proposals.test_api import api_client, post

pytestmark = pytest.mark.django_db

@pytest.mark.parametrize("typed", TYPED)
def test_typed_through_the_forms_is_stored_and_shown_exactly(open_consultation, resident, typed):
    client = Client()
    client.force_login(resident)
    response = client.post(f"/proposals/new/{open_consultation.pk}/", {"title": typed, "body": f"{typed}\r\n2行目"})
    assert response.status_code == 302, response.content.decode()[:500]
    proposal = Proposal.objects.get()
    assert (proposal.title, proposal.body) == (typed, f"{typed}\n2行目")
    response = client.post(f"/proposals/{proposal.pk}/comment/", {"body": typed, "stance": "for"})
    assert response.status_code == 302
    assert Comment.objects.get().body == typed
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert page.count(escape(typed)) >= 4  # <title>, heading, body, comment
    assert_shown_escaped(page, typed)
    listing = Client().get(open_consultation.url).content.decode()  # the cached card
    assert_shown_escaped(listing, typed)


@pytest.mark.parametrize("typed", TYPED)
def test_typed_through_the_api_is_stored_and_returned_exactly(open_consultation, resident, typed):
    client = api_client(resident)
    r = post(client, f"/api/v1/consultations/{open_consultation.pk}/proposals", {"title": typed, "body": typed})
    assert r.status_code == 201, r.content
    assert (r.json()["title"], r.json()["body"]) == (typed, typed)
    proposal_id = r.json()["id"]
    r = post(client, f"/api/v1/proposals/{proposal_id}/comments", {"body": typed, "stance": "against"})
    assert r.status_code == 201 and r.json()["body"] == typed
    assert Comment.objects.get().body == typed
    detail = Client().get(f"/api/v1/proposals/{proposal_id}").json()
    assert (detail["title"], detail["body"]) == (typed, typed)
    comments = Client().get(f"/api/v1/proposals/{proposal_id}/comments").json()["items"]
    assert [c["body"] for c in comments] == [typed]


def test_open_data_exports_keep_the_text(open_consultation, resident):
    client = api_client(resident)
    for typed in TYPED:
        r = post(client, f"/api/v1/consultations/{open_consultation.pk}/proposals", {"title": typed, "body": typed})
        post(client, f"/api/v1/proposals/{r.json()['id']}/comments", {"body": typed})
    rows = json.loads(Client().get("/open-data/proposals.json").content)["rows"]
    assert sorted(r["title"] for r in rows) == sorted(TYPED)
    assert sorted(r["body"] for r in json.loads(Client().get("/open-data/comments.json").content)["rows"]) == sorted(TYPED)
    response = Client().get("/open-data/proposals.csv")
    table = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert sorted(r["title"] for r in table) == sorted(TYPED)
