"""Issue 12, sharp edge 6: the moderator sees what blocking will do and chooses: block future posts only
(past content stays, with other residents' comments on it) or also hide past content."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from participation.models import User
from participation.moderation import services as moderation
from tests.participation.helpers import make_comment, make_proposal

pytestmark = pytest.mark.django_db


@pytest.fixture
def troll_content(open_consultation, resident, other_resident):
    proposal = make_proposal(resident, open_consultation, title="駅前に駐輪場を")
    reply = make_comment(proposal, other_resident, body="他の住民の大切なコメントです。")
    spam = make_comment(proposal, resident, body="宣伝です")
    return proposal, reply, spam


def test_item_page_shows_what_blocking_would_hide_and_asks_to_choose(troll_content, moderator):
    proposal, _reply, spam = troll_content
    client = Client()
    client.force_login(moderator)
    url = reverse("moderation:item", args=["comment", spam.pk])
    html = client.get(url).content.decode()
    assert "block-preview" in html and 'name="block_scope"' in html
    refused = client.post(url, {"action": "block", "reason": "宣伝の繰り返し"})
    assert refused.status_code == 400
    assert User.objects.get(pk=spam.author_id).blocked_at is None


def test_block_future_posts_only_keeps_past_content_and_others_comments(troll_content, moderator, resident):
    proposal, reply, spam = troll_content
    client = Client()
    client.force_login(moderator)
    response = client.post(reverse("moderation:item", args=["comment", spam.pk]),
                           {"action": "block", "reason": "宣伝の繰り返し", "block_scope": "future"})
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.blocked_at is not None and resident.content_hidden_at is None
    page = Client().get(proposal.get_absolute_url())
    assert page.status_code == 200 and "他の住民の大切なコメントです。" in page.content.decode()
    assert not resident.has_perm("proposals.add_proposal", proposal.consultation)  # no new posts


def test_block_and_hide_past_content(troll_content, moderator, resident):
    proposal, _reply, _spam = troll_content
    moderation.user_block(actor=moderator, user_id=resident.pk, reason="荒らし", hide_past=True)
    assert Client().get(proposal.get_absolute_url()).status_code == 404
    moderation.user_unblock(actor=moderator, user_id=resident.pk)
    resident.refresh_from_db()
    assert resident.content_hidden_at is None
    assert Client().get(proposal.get_absolute_url()).status_code == 200
