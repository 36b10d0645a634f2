"""A resident flags a comment; after two more flags it vanishes from the proposal page; the moderator finds
it in the queue and unhides it; it is back; the council member's dashboard shows the comment count move live."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from participation.moderation import services as moderation
from tests.participation.helpers import make_comment, make_proposal

pytestmark = pytest.mark.browser


def session_cookie(user, url):
    client = Client()
    client.force_login(user)
    return {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": url}


def context_for(browser, user, url, width=390):
    context = browser.new_context(viewport={"width": width, "height": 844}, locale="ja-JP")
    context.add_cookies([session_cookie(user, url)])
    return context


def test_flag_hide_unhide_and_dashboard(browser, live_asgi, open_consultation, resident, other_resident, moderator,
                                        council_member, user_factory, artifacts_dir):
    proposal = make_proposal(resident, open_consultation, title="公園の遊具を新しくしてほしい", body="古いすべり台が危ないです。")
    make_comment(proposal, resident, body="補足: 砂場の柵も壊れています。")
    comment = make_comment(proposal, other_resident, body="宣伝: 格安リフォームはこちら!今すぐ電話を")
    flagger = user_factory("flagger1")
    url = live_asgi.url

    # 1. A resident flags the comment with the plain HTML form (keyboard only).
    resident_ctx = context_for(browser, flagger, url)
    page = resident_ctx.new_page()
    page.goto(f"{url}{proposal.get_absolute_url()}")
    expect(page.locator(f"#comment-{comment.pk}")).to_contain_text("格安リフォーム")
    page.goto(f"{url}/moderation/flag/comment/{comment.pk}/?next={proposal.get_absolute_url()}")
    page.get_by_label("スパム", exact=False).or_(page.get_by_label("Spam", exact=False)).first.check()
    page.locator("textarea[name=details]").fill("<b>宣伝</b>です")
    page.keyboard.press("Tab")
    page.locator("form button[type=submit]").last.press("Enter")
    page.wait_for_url(f"**{proposal.get_absolute_url()}**")
    expect(page.locator(f"#comment-{comment.pk}")).to_be_visible()  # one flag does not hide
    page.screenshot(path=str(artifacts_dir / "moderation-flagged-phone.png"), full_page=True)

    # 2. Two more residents flag it: hidden from the proposal page.
    for name in ("flagger2", "flagger3"):
        moderation.flag_create(user=user_factory(name), kind="comment", object_id=comment.pk, reason="spam")
    page.reload()
    expect(page.locator(f"#comment-{comment.pk}")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text("格安リフォーム")

    # 3. The council member has the dashboard open.
    council_ctx = context_for(browser, council_member, url, width=1024)
    dashboard = council_ctx.new_page()
    dashboard.goto(f"{url}/dashboard/")
    comments_total = dashboard.locator('[data-live-total="comments"]')
    expect(comments_total).to_have_text("1")
    expect(dashboard.locator("#dashboard")).to_have_attribute("data-live", "on", timeout=10000)

    # 4. The moderator finds it in the queue (markup in the details shows as text) and unhides it.
    mod_ctx = context_for(browser, moderator, url, width=360)
    queue = mod_ctx.new_page()
    queue.goto(f"{url}/moderation/")
    item = queue.locator(f"#item-comment-{comment.pk}")
    expect(item).to_contain_text("格安リフォーム")
    expect(item).to_contain_text("<b>宣伝</b>です")
    queue.screenshot(path=str(artifacts_dir / "moderation-queue-phone.png"), full_page=True)
    item.locator("textarea[name=reason]").fill("広告ではないと判断")
    item.locator("button[value=unhide]").click()
    expect(queue.locator(".messages")).to_be_visible()

    # 5. The comment is back on the proposal page, and the dashboard count moved without a reload.
    expect(comments_total).to_have_text("2", timeout=5000)
    dashboard.screenshot(path=str(artifacts_dir / "dashboard-desktop.png"), full_page=True)
    page.reload()
    expect(page.locator(f"#comment-{comment.pk}")).to_contain_text("格安リフォーム")
    for context in (resident_ctx, council_ctx, mod_ctx):
        context.close()
