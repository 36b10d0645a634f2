"""Issue 12, sharp edge 6 (the rest of it): when a moderator hides a proposal, or blocks its author and hides
their past posts, other residents' comments on it must not vanish with no trace. The proposal's URL answers a
page that says it was hidden by moderation (still a 404: it is not public), and the resident who commented
finds the comment on their own activity page (/me/activity/) with a note that says what happened."""

from __future__ import annotations

from html import escape

import pytest
from django.test import Client
from django.urls import reverse
from wagtail.models import Locale

from participation.moderation import services as moderation
from tests.participation.helpers import make_comment, make_proposal

pytestmark = pytest.mark.django_db
ACTIVITY = "/me/activity/"  # the Japanese (default-language) path


@pytest.fixture
def troll_thread(open_consultation, resident, other_resident):
    proposal = make_proposal(resident, open_consultation, title="宣伝のための提案タイトル")
    reply = make_comment(proposal, other_resident, body="他の住民の大切なコメントです。")
    return proposal, reply


def client_for(user=None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="ja")
    if user is not None:
        client.force_login(user)
    return client


def test_a_proposal_hidden_by_blocking_its_author_says_so(troll_thread, moderator, resident, other_resident):
    proposal, _reply = troll_thread
    moderation.user_block(actor=moderator, user_id=resident.pk, reason="荒らし", hide_past=True)
    for client in (client_for(), client_for(other_resident)):
        response = client.get(proposal.get_absolute_url())
        html = response.content.decode()
        assert response.status_code == 404  # not public, and not indexed
        assert "この提案はモデレーションにより非表示になりました" in html
        assert "宣伝のための提案タイトル" not in html and "他の住民の大切なコメントです。" not in html
        assert proposal.consultation.title in html  # the way back to the consultation
    assert ACTIVITY in client_for(other_resident).get(proposal.get_absolute_url()).content.decode()
    # A proposal that never existed is the ordinary 404 page.
    missing = client_for().get(reverse("proposals:detail", args=[proposal.pk + 1000]))
    assert missing.status_code == 404 and "モデレーション" not in missing.content.decode()


def test_a_proposal_hidden_by_a_moderator_says_so_in_english_too(troll_thread, moderator):
    proposal, _reply = troll_thread
    moderation.item_hide(actor=moderator, kind="proposal", object_id=proposal.pk, reason="宣伝")
    response = Client().get(f"/en/proposals/{proposal.pk}/")
    assert response.status_code == 404
    assert "This proposal was hidden by moderation" in response.content.decode()
    english = proposal.consultation.get_translation(Locale.objects.get(language_code="en"))
    assert escape(english.title) in response.content.decode() and english.url in response.content.decode()
    # The moderator is pointed at the item in the queue.
    html = client_for(moderator).get(proposal.get_absolute_url()).content.decode()
    assert reverse("moderation:item", args=["proposal", proposal.pk]) in html


def test_the_comment_stays_in_its_authors_activity_with_a_note(troll_thread, moderator, resident, other_resident):
    proposal, reply = troll_thread
    page = client_for(other_resident).get(ACTIVITY)
    html = page.content.decode()
    assert page.status_code == 200 and "他の住民の大切なコメントです。" in html
    assert reply.get_absolute_url() in html and "非表示" not in html

    moderation.user_block(actor=moderator, user_id=resident.pk, reason="荒らし", hide_past=True)
    html = client_for(other_resident).get(ACTIVITY).content.decode()
    assert "他の住民の大切なコメントです。" in html
    assert "返信先の提案はモデレーションにより非表示になりました" in html
    assert "宣伝のための提案タイトル" not in html

    moderation.user_unblock(actor=moderator, user_id=resident.pk)
    html = client_for(other_resident).get(ACTIVITY).content.decode()
    assert "返信先の提案はモデレーションにより非表示になりました" not in html


def test_the_author_learns_that_their_proposal_and_comment_were_hidden(troll_thread, moderator, other_resident):
    proposal, reply = troll_thread
    moderation.item_hide(actor=moderator, kind="comment", object_id=reply.pk, reason="個人情報")
    html = client_for(other_resident).get(ACTIVITY).content.decode()
    assert "モデレーターがこのコメントを非表示にしました" in html
    own = make_proposal(other_resident, proposal.consultation, title="自分の提案")
    moderation.item_hide(actor=moderator, kind="proposal", object_id=own.pk, reason="重複")
    html = client_for(other_resident).get(ACTIVITY).content.decode()
    assert "自分の提案" in html and "モデレーターがこの提案を非表示にしました" in html


def test_the_activity_page_is_the_residents_own(troll_thread, resident):
    anonymous = Client().get(ACTIVITY)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    html = client_for(resident).get(ACTIVITY).content.decode()
    assert "他の住民の大切なコメントです。" not in html  # someone else's comment
    assert "宣伝のための提案タイトル" in html
