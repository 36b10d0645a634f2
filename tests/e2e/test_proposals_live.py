"""Two residents on the same consultation: A supports and comments, B sees the counts change live."""

import pytest
from django.test import Client
from playwright.sync_api import expect

from tests.proposals.factories import make_proposal

pytestmark = pytest.mark.browser


def session_cookie(user, url):
    client = Client()
    client.force_login(user)
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": url}


def test_counts_change_live_for_another_resident(browser, live_asgi, open_consultation, resident, other_resident, artifacts_dir):
    p = make_proposal(open_consultation, resident, title="駅前の駐輪場を広げてほしい", body="朝は自転車を止める場所がありません。")
    a = browser.new_context(viewport={"width": 390, "height": 844}, locale="ja-JP")
    b = browser.new_context(viewport={"width": 360, "height": 780}, locale="ja-JP")
    a.add_cookies([session_cookie(other_resident, live_asgi.url)])
    b.add_cookies([session_cookie(resident, live_asgi.url)])
    page_b = b.new_page()
    reloads = []
    page_b.on("load", lambda _page: reloads.append(1))
    page_b.goto(live_asgi.url + open_consultation.url)
    supports_b = page_b.locator(f'[data-live-supports="{p.pk}"]')
    comments_b = page_b.locator(f'[data-live-comments="{p.pk}"]')
    assert supports_b.inner_text() == "0"
    expect(page_b.locator("[data-live-consultation]")).to_have_attribute("data-live-connected", "1", timeout=10000)

    page_a = a.new_page()
    page_a.goto(live_asgi.url + p.get_absolute_url())
    page_a.locator("#support button.button-primary").click()
    expect(supports_b).to_have_text("1", timeout=2000)  # no reload on B's page
    expect(page_b.locator('[data-live-total="supports"]')).to_have_text("1", timeout=2000)

    expect(page_a.locator('#support input[name=action][value=remove]')).to_have_count(1)  # A's section swapped in place
    page_a.fill("#id_body", "賛成です。通勤時間は特に足りません。")
    page_a.locator("form[data-enhance=comment] button[type=submit]").last.click()
    expect(comments_b).to_have_text("1", timeout=2000)
    expect(page_a.locator("#comments")).to_contain_text("賛成です。通勤時間は特に足りません。")
    assert len(reloads) == 1  # only the first load
    page_b.screenshot(path=str(artifacts_dir / "proposals-live-phone.png"), full_page=True)
    page_a.screenshot(path=str(artifacts_dir / "proposal-detail-phone.png"), full_page=True)
    a.close()
    b.close()
