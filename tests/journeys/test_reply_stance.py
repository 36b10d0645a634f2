"""Issue 12 (smaller edges): replies were always labelled 中立, because the reply form sent a hidden "neutral".
A reply has its own stance or none; a top-level comment keeps its for / against / neutral."""

from __future__ import annotations

import importlib
import io
import re

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import translation

from proposals import services
from proposals.models import Comment
from tests.proposals.factories import make_proposal
from tests.proposals.test_api import api_client, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread(open_consultation, resident, other_resident):
    proposal = make_proposal(open_consultation, resident, title="図書館の開館時間を延ばしてほしい")
    top = services.comment_create(proposal=proposal, author=resident, body="夜も開いていると助かります。", stance="for")
    return proposal, top


def reply_labels(html: str, comment_id: int) -> list[str]:
    """The stance labels in the meta line of one comment (its own, not its replies')."""
    start = html.index(f'id="comment-{comment_id}"')
    meta = html[start:html.index("</p>", start)]
    return re.findall(r'class="stance stance-[a-z]+">([^<]+)<', meta)


def test_a_reply_has_no_stance_unless_its_author_gives_one(thread, other_resident):
    proposal, top = thread
    plain = services.comment_create(proposal=proposal, author=other_resident, body="開館時間は何時までですか？", parent=top)
    against = services.comment_create(proposal=proposal, author=other_resident, body="夜は職員が足りません。",
                                      stance="against", parent=top)
    assert (plain.stance, against.stance) == ("", "against")
    # A top-level comment without a stance is still neutral.
    assert services.comment_create(proposal=proposal, author=other_resident, body="どちらとも言えません。").stance == "neutral"


def test_the_web_reply_form_offers_the_stance_and_chooses_none(thread, other_resident):
    proposal, top = thread
    client = Client()
    client.force_login(other_resident)
    with translation.override("ja"):
        page = client.get(proposal.get_absolute_url()).content.decode()
    assert 'name="stance" value="neutral">' not in page.split(f'id="reply-{top.pk}"')[0][-400:]  # no hidden neutral
    form = page[page.index(f'id="reply-{top.pk}"'):]
    form = form[:form.index("</form>")]
    assert 'type="radio" name="stance" value="" checked' in form
    assert 'type="hidden" name="stance"' not in form

    response = client.post(f"/proposals/{proposal.pk}/comment/", {"body": "質問です。", "parent": top.pk, "stance": ""})
    assert response.status_code == 302
    no_stance = Comment.objects.get(body="質問です。")
    response = client.post(f"/proposals/{proposal.pk}/comment/", {"body": "反対です。", "parent": top.pk, "stance": "against"})
    with_stance = Comment.objects.get(body="反対です。")
    assert (no_stance.stance, with_stance.stance) == ("", "against")

    html = Client().get(proposal.get_absolute_url()).content.decode()
    assert reply_labels(html, no_stance.pk) == []
    assert reply_labels(html, with_stance.pk) == ["反対"]
    assert reply_labels(html, top.pk) == ["賛成"]


def test_bad_stance_on_a_reply_is_refused_and_nothing_stored(thread, other_resident):
    proposal, top = thread
    client = Client()
    client.force_login(other_resident)
    response = client.post(f"/proposals/{proposal.pk}/comment/", {"body": "おかしな立場", "parent": top.pk, "stance": "maybe"})
    assert response.status_code == 400
    with pytest.raises(ValidationError) as error:
        services.comment_create(proposal=proposal, author=other_resident, body="おかしな立場", stance="maybe", parent=top)
    assert "stance" in error.value.error_dict
    assert not Comment.objects.filter(body="おかしな立場").exists()


def test_editing_a_reply_can_take_its_stance_back(thread, other_resident):
    proposal, top = thread
    reply = services.comment_create(proposal=proposal, author=other_resident, body="賛成です。", stance="for", parent=top)
    client = Client()
    client.force_login(other_resident)
    page = client.get(f"/proposals/comments/{reply.pk}/edit/").content.decode()
    assert 'value=""' in page  # "no stance" is one of the choices
    assert client.post(f"/proposals/comments/{reply.pk}/edit/", {"body": "やはり質問です。", "stance": ""}).status_code == 302
    reply.refresh_from_db()
    assert reply.stance == ""
    # A top-level comment cannot lose its stance: an empty one is neutral.
    services.comment_update(comment=top, user=top.author, body="夜も開いていると助かります。", stance="")
    top.refresh_from_db()
    assert top.stance == "neutral"


def test_api_replies_have_their_own_stance_or_null(thread, other_resident):
    proposal, top = thread
    client = api_client(other_resident)
    plain = post(client, f"/api/v1/proposals/{proposal.pk}/comments", {"body": "質問です。", "parent": top.pk})
    assert plain.status_code == 201 and plain.json()["stance"] is None
    chosen = post(client, f"/api/v1/proposals/{proposal.pk}/comments", {"body": "賛成！", "parent": top.pk, "stance": "for"})
    assert chosen.json()["stance"] == "for"
    comment = post(client, f"/api/v1/proposals/{proposal.pk}/comments", {"body": "コメントです。"})
    assert comment.json()["stance"] == "neutral"
    # Editing without a stance keeps it (it used to reset it to neutral).
    edited = post(client, f"/api/v1/comments/{chosen.json()['id']}", {"body": "大賛成！"}, method="patch")
    assert edited.status_code == 200 and edited.json()["stance"] == "for"
    listed = client.get(f"/api/v1/proposals/{proposal.pk}/comments").json()["items"]
    assert {c["body"]: c["stance"] for c in listed}["質問です。"] is None


def test_the_database_refuses_a_top_level_comment_without_stance(thread):
    _proposal, top = thread
    with pytest.raises(IntegrityError), transaction.atomic():
        Comment.objects.filter(pk=top.pk).update(stance="")


def test_existing_replies_lose_the_neutral_the_old_form_chose_for_them(thread, other_resident):
    proposal, top = thread
    old = services.comment_create(proposal=proposal, author=other_resident, body="昔の返信", stance="neutral", parent=top)
    kept = services.comment_create(proposal=proposal, author=other_resident, body="反対の返信", stance="against", parent=top)
    neutral_top = services.comment_create(proposal=proposal, author=other_resident, body="中立のコメント", stance="neutral")
    migration = importlib.import_module("proposals.migrations.0007_reply_stance")
    migration.replies_without_stance(apps, None)
    assert [Comment.objects.get(pk=c.pk).stance for c in (old, kept, neutral_top)] == ["", "against", "neutral"]
    migration.replies_neutral_again(apps, None)
    assert Comment.objects.get(pk=old.pk).stance == "neutral"


def test_the_demo_has_replies_with_and_without_a_stance(db):
    from django.core.management import call_command

    call_command("seed_demo", "--password", "demo-pass-2026", "--only", "accounts", "pages", "proposals",
                 stdout=io.StringIO())
    stances = set(Comment.objects.filter(depth=2).values_list("stance", flat=True))
    assert "" in stances and stances - {""}
    assert not Comment.objects.filter(depth=1, stance="").exists()
