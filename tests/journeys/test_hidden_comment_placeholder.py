"""Issue 12, last sharp edges (1): on a visible proposal, a comment a moderator hid (or whose author was blocked
with their past posts) keeps its place in the thread as a placeholder, so the other residents' visible replies
under it stay there. The hidden text itself is never shown; a hidden comment nobody answered leaves no
placeholder; the detail page stays within its query budget."""

from __future__ import annotations

import pytest
from django.test import Client

from participation.moderation import services as moderation
from tests.proposals.factories import make_comment, make_proposal
from tests.proposals.test_query_budget import DETAIL_ANONYMOUS, DETAIL_SIGNED_IN

pytestmark = pytest.mark.django_db
PLACEHOLDER_JA = "このコメントはモデレーターにより非表示になりました"
PLACEHOLDER_EN = "This comment was hidden by a moderator."



@pytest.fixture
def thread(open_consultation, resident, other_resident, user_factory):
    troll = user_factory("troll")
    proposal = make_proposal(open_consultation, resident, title="駅前に駐輪場を増やしてほしい")
    rude = make_comment(proposal, troll, body="失礼な書き込みです。")
    answer = make_comment(proposal, other_resident, body="落ち着いて話しましょう。駐輪場は必要です。", parent=rude)
    deeper = make_comment(proposal, resident, body="ありがとうございます。場所の案もあります。", parent=answer)
    lonely = make_comment(proposal, troll, body="誰も返事をしていない失礼な書き込み。")
    return proposal, troll, rude, answer, deeper, lonely


def _html(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_hidden_comment_keeps_a_placeholder_with_the_replies_under_it(thread, moderator, other_resident):
    proposal, _troll, rude, answer, deeper, lonely = thread
    moderation.item_hide(actor=moderator, kind="comment", object_id=rude.pk, reason="暴言")
    moderation.item_hide(actor=moderator, kind="comment", object_id=lonely.pk, reason="暴言")
    signed_in = Client(HTTP_ACCEPT_LANGUAGE="ja")
    signed_in.force_login(other_resident)
    for client in (Client(HTTP_ACCEPT_LANGUAGE="ja"), signed_in):
        html = _html(client, proposal.get_absolute_url())
        assert html.count(PLACEHOLDER_JA) == 1  # the answered one; the lonely one leaves no trace to show
        assert "失礼な書き込み" not in html
        assert "落ち着いて話しましょう。駐輪場は必要です。" in html and "場所の案もあります。" in html
        # The replies sit under the placeholder, in its list of replies.
        placeholder = html.index(f'id="comment-{rude.pk}"')
        assert placeholder < html.index(f'id="comment-{answer.pk}"') < html.index(f'id="comment-{deeper.pk}"')
        assert html.index(PLACEHOLDER_JA) > placeholder
        # Nothing to do on a placeholder: no reply form, no flag link for it.
        assert f'name="parent" value="{rude.pk}"' not in html and f"/comment/{rude.pk}/" not in html
    english = _html(Client(), f"/en/proposals/{proposal.pk}/")
    assert english.count(PLACEHOLDER_EN) == 1 and "失礼な書き込み" not in english


def test_a_hidden_reply_keeps_the_deeper_reply(thread, moderator):
    proposal, _troll, rude, answer, deeper, _lonely = thread
    moderation.item_hide(actor=moderator, kind="comment", object_id=answer.pk, reason="個人情報")
    html = _html(Client(HTTP_ACCEPT_LANGUAGE="ja"), proposal.get_absolute_url())
    assert "失礼な書き込みです。" in html  # the root is visible
    assert html.count(PLACEHOLDER_JA) == 1 and "落ち着いて話しましょう。" not in html
    assert html.index(PLACEHOLDER_JA) < html.index("場所の案もあります。")


def test_blocking_the_author_with_past_posts_leaves_a_placeholder(thread, moderator):
    proposal, troll, rude, _answer, _deeper, _lonely = thread
    moderation.user_block(actor=moderator, user_id=troll.pk, reason="荒らし", hide_past=True)
    html = _html(Client(HTTP_ACCEPT_LANGUAGE="ja"), proposal.get_absolute_url())
    assert html.count(PLACEHOLDER_JA) == 1 and "失礼な書き込み" not in html and "troll" not in html
    assert "落ち着いて話しましょう。駐輪場は必要です。" in html


def test_unhiding_brings_the_comment_back(thread, moderator):
    proposal, _troll, rude, _answer, _deeper, _lonely = thread
    moderation.item_hide(actor=moderator, kind="comment", object_id=rude.pk, reason="暴言")
    assert PLACEHOLDER_JA in _html(Client(HTTP_ACCEPT_LANGUAGE="ja"), proposal.get_absolute_url())
    moderation.item_unhide(actor=moderator, kind="comment", object_id=rude.pk, reason="誤り")
    html = _html(Client(HTTP_ACCEPT_LANGUAGE="ja"), proposal.get_absolute_url())
    assert PLACEHOLDER_JA not in html and "失礼な書き込みです。" in html


@pytest.mark.parametrize("n", [1, 20])
def test_placeholders_stay_within_the_detail_budget(open_consultation, resident, other_resident, moderator,
                                                   django_assert_max_num_queries, n):
    proposal = make_proposal(open_consultation, resident)
    for _ in range(n):
        root = make_comment(proposal, resident, body="隠されるコメント")
        hidden_reply = make_comment(proposal, other_resident, body="隠される返信", parent=root)
        make_comment(proposal, resident, body="見える返信", parent=hidden_reply)
        moderation.item_hide(actor=moderator, kind="comment", object_id=root.pk, reason="暴言")
        moderation.item_hide(actor=moderator, kind="comment", object_id=hidden_reply.pk, reason="暴言")
    anonymous, signed_in = Client(HTTP_ACCEPT_LANGUAGE="ja"), Client(HTTP_ACCEPT_LANGUAGE="ja")
    signed_in.force_login(other_resident)
    for client, budget in ((anonymous, DETAIL_ANONYMOUS), (signed_in, DETAIL_SIGNED_IN)):
        client.get(proposal.get_absolute_url())
        with django_assert_max_num_queries(budget):
            html = _html(client, proposal.get_absolute_url())
        assert html.count(PLACEHOLDER_JA) == 2 * n and html.count("見える返信") == n and "隠される" not in html

