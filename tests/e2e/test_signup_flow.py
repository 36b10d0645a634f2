"""A new resident signs up, verifies the e-mail, logs in, opens a consultation and switches language."""

import re

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_site(live_asgi):
    import io

    from cms.demo import seed_pages

    seed_pages(stdout=io.StringIO())
    return live_asgi


def test_resident_signs_up_verifies_logs_in_and_switches_language(browser, demo_site, artifacts_dir):
    context = browser.new_context(viewport={"width": 360, "height": 780}, locale="ja-JP")
    page = context.new_page()
    base = demo_site.url
    page.goto(base + "/")
    assert page.locator("html").get_attribute("lang") == "ja"
    page.goto(base + "/accounts/signup/")
    page.fill("#id_email", "newcomer@example.jp")
    page.fill("#id_display_name", "しんまい")
    page.fill("#id_password1", "a-long-Passphrase-2026")
    page.fill("#id_password2", "a-long-Passphrase-2026")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()

    mails = demo_site.sent_mail()
    assert mails, "the verification e-mail was not sent"
    link = re.search(r"http://127\.0\.0\.1:\d+/\S*accounts/confirm-email/\S+/", mails[-1]).group(0)
    page.goto(link)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()

    page.goto(base + "/accounts/logout/")
    if page.locator("form button[type=submit]").count():
        page.locator("main form button[type=submit]").first.click()
    page.goto(base + "/accounts/login/")
    page.fill("#id_login", "newcomer@example.jp")
    page.fill("#id_password", "a-long-Passphrase-2026")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()
    assert page.get_by_text("しんまい").first.is_visible()

    page.goto(base + "/consultations/parks-future/")
    assert "公園" in page.locator("h1").inner_text()
    page.get_by_role("button", name="English").click()
    page.wait_for_url(base + "/en/consultations/parks-future/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "parks" in page.locator("h1").inner_text().lower()
    page.screenshot(path=str(artifacts_dir / "signup-consultation-en-360.png"), full_page=True)
    page.get_by_role("button", name="日本語").click()
    page.wait_for_url(base + "/consultations/parks-future/")
    assert page.locator("html").get_attribute("lang") == "ja"
    page.screenshot(path=str(artifacts_dir / "signup-consultation-ja-360.png"), full_page=True)
    # No horizontal scrolling at phone width.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()
