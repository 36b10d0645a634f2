"""Issue 12, last sharp edges as a person sees them at 360 px: a comment a moderator hid leaves a placeholder
with the other residents' replies under it (Japanese and English), and the moderator's queue names the item
(「コメント「…」」) rather than "コメント #150"; nothing overflows sideways and axe-core
finds nothing serious on these pages."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from participation.moderation import services as moderation
from tests.e2e.test_accessibility import serious_problems
from tests.e2e.test_moderation_flow import session_cookie
from tests.proposals.factories import make_comment, make_proposal

pytestmark = pytest.mark.browser


def context_for(browser, user, url, width=360):
    # bypass_csp: the test injects axe-core as an inline script, which the site's CSP forbids.
    context = browser.new_context(viewport={"width": width, "height": 780}, locale="ja-JP", bypass_csp=True)
    context.add_cookies([session_cookie(user, url)])
    return context


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert serious_problems(page) == []  # axe-core: nothing serious or critical


def test_placeholder_and_queue_names(browser, live_asgi, open_consultation, resident, other_resident, moderator,
                                     user_factory):
    troll = user_factory("troll")
    proposal = make_proposal(open_consultation, resident, title="駅前に駐輪場を増やしてほしい")
    rude = make_comment(proposal, troll, body="失礼な書き込みです。")
    answer = make_comment(proposal, other_resident, body="落ち着いて話しましょう。駐輪場は必要です。", parent=rude)
    moderation.item_hide(actor=moderator, kind="comment", object_id=rude.pk, reason="暴言")
    url = live_asgi.url

    context = context_for(browser, other_resident, url, width=360)
    page = context.new_page()
    page.goto(f"{url}/proposals/{proposal.pk}/")
    placeholder = page.locator(f"#comment-{rude.pk}")
    expect(placeholder).to_contain_text("このコメントはモデレーターにより非表示になりました")
    expect(placeholder.locator(f"#comment-{answer.pk}")).to_contain_text("駐輪場は必要です。")
    expect(page.locator("main")).not_to_contain_text("失礼な書き込み")
    _no_sideways_scroll(page)
    page.goto(f"{url}/en/proposals/{proposal.pk}/")
    expect(page.locator(f"#comment-{rude.pk}")).to_contain_text("This comment was hidden by a moderator.")
    _no_sideways_scroll(page)
    context.close()

    moderation.flag_create(user=other_resident, kind="comment", object_id=answer.pk, reason="spam", details="")
    context = context_for(browser, moderator, url, width=360)
    page = context.new_page()
    page.goto(f"{url}/moderation/")
    _no_sideways_scroll(page)
    heading = page.locator(f"#item-comment-{answer.pk} h2")
    expect(heading).to_have_text("コメント「落ち着いて話しましょう。駐輪場は必要です。」")
    heading.get_by_role("link").click()
    expect(page.locator("h1")).to_have_text("確認: コメント「落ち着いて話しましょう。駐輪場は必要です。」")
    _no_sideways_scroll(page)
    context.close()
