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


def test_typed_markup_shows_as_text_and_never_runs(browser, live_asgi, open_consultation, resident):
    """A resident types markup into a proposal and a comment in the browser; a report holds it too:
    every page shows exactly what was typed, as text, and no script runs (no dialog)."""
    from reports_map.demo import seed_categories
    from reports_map.models import Category
    from reports_map.services import report_create

    title, body, comment = "<script>alert(1)</script>hi", "a &lt;b&gt; c\nx < y > z", "<img src=x onerror=alert(2)>ok"
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ja-JP")
    context.add_cookies([session_cookie(resident, live_asgi.url)])
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(live_asgi.url + f"/proposals/new/{open_consultation.pk}/")
    page.fill("#id_title", title)
    page.fill("#id_body", body)
    page.locator("form.proposal-form button[type=submit]").click()
    expect(page.locator("#proposal-title")).to_have_text(title)
    expect(page.locator(".proposal-body")).to_contain_text("a &lt;b&gt; c")
    expect(page.locator(".proposal-body")).to_contain_text("x < y > z")
    page.fill("#id_body", comment)
    page.locator("form[data-enhance=comment] button[type=submit]").last.click()
    expect(page.locator("#comments")).to_contain_text(comment)
    page.goto(live_asgi.url + open_consultation.url)
    expect(page.get_by_role("link", name=title)).to_be_visible()

    seed_categories()  # a transactional test database starts without the data migration's rows
    lat, lon = 35.6812, 139.5600
    report = report_create(author=resident, category=Category.objects.get(service_code="road-pothole"),
                           latitude=lat, longitude=lon, description=title + "\n" + body, address="x < y > z")
    page.goto(live_asgi.url + f"/reports/{report.pk}/")
    expect(page.locator(".report-description")).to_contain_text(title)
    expect(page.locator(".report-description")).to_contain_text("a &lt;b&gt; c")
    page.wait_for_timeout(300)  # give any script that might have been injected the chance to run
    assert dialogs == []
    context.close()
