"""On a phone, a resident follows a proposal from posting to 完了: staff accept it, create a result from it and
post updates (予算化, 実施中 with a photo, 完了); the resident sees "what happened" on the proposal page, the
timeline with the department (never the staff member), and the notifications. Screenshots go to test-artifacts/."""

from __future__ import annotations

import base64
import io
import re

import pytest
from PIL import Image

from tests.conftest import make_user

pytestmark = pytest.mark.browser

ONE_PIXEL_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def _jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (800, 600), (90, 150, 90)).save(buf, "JPEG")
    return buf.getvalue()


def _context(browser, *, phone: bool):
    size = {"width": 360, "height": 780} if phone else {"width": 1200, "height": 900}
    context = browser.new_context(viewport=size, locale="ja-JP")
    context.route(re.compile(r"^https?://[^/]*tile[^/]*/"),
                  lambda route: route.fulfill(status=200, content_type="image/png", body=ONE_PIXEL_PNG))
    return context


def _log_in(page, base, username):
    page.goto(base + "/accounts/login/")
    page.fill("#id_login", f"{username}@example.jp")
    page.fill("#id_password", "correct-horse-battery")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()


def _watch(page, errors):
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))


def test_resident_follows_proposal_to_done(browser, live_asgi, demo_pages, artifacts_dir):
    from accountability.defaults import ensure_defaults
    from accountability.models import Department, ResultStatus
    from participation.core.predicates import RESIDENT, STAFF

    ensure_defaults(ResultStatus, Department)
    make_user("alice", RESIDENT)
    make_user("clerk", RESIDENT, STAFF, is_staff=True, display_name="山田職員")
    consultation = demo_pages[0]
    base = live_asgi.url
    errors: list[str] = []

    resident = _context(browser, phone=True).new_page()
    _watch(resident, errors)
    _log_in(resident, base, "alice")
    resident.goto(f"{base}/proposals/new/{consultation.pk}/")
    resident.fill("#id_title", "北町公園の遊具を新しくしてほしい")
    resident.fill("#id_body", "ブランコが古く、子どもが安心して遊べません。")
    resident.locator("main form button[type=submit]").last.click()
    resident.wait_for_url(re.compile(r"/proposals/\d+/$"))
    proposal_url = resident.url

    staff = _context(browser, phone=False).new_page()
    _watch(staff, errors)
    _log_in(staff, base, "clerk")
    staff.goto(proposal_url)
    staff.select_option("#id_state", "accepted")
    staff.fill("#id_answer", "来年度に遊具を更新します。")
    staff.locator("#answer form button[type=submit]").click()
    staff.wait_for_load_state()
    staff.locator("#what-happened summary").click()
    staff.select_option("#id_department", label="公園緑地課")
    staff.locator("#what-happened form button.button-primary").click()
    staff.wait_for_url(re.compile(r"/results/\d+/$"))
    result_url = staff.url
    for status, text, photo in (("予算化 (20%)", "令和8年度予算に計上しました。", False),
                                ("実施中 (50%)", "遊具の入れ替え工事を始めました。", True),
                                ("完了 (100%)", "新しい遊具の利用を始めました。", False)):
        staff.select_option("#id_status", label=status)
        staff.fill("#id_text", text)
        if photo:
            staff.set_input_files("#id_photo", files=[{"name": "work.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}])
        staff.locator("#staff form button.button-primary").click()
        staff.wait_for_url(re.compile(r"#timeline$"))

    resident.goto(proposal_url)
    section = resident.locator("#what-happened")
    section.scroll_into_view_if_needed()
    assert "完了" in section.inner_text() and "新しい遊具の利用を始めました。" in section.inner_text()
    assert section.locator("progress").get_attribute("value") == "100"
    resident.screenshot(path=str(artifacts_dir / "accountability-proposal-what-happened.png"), full_page=True)
    section.get_by_role("link", name=re.compile("すべての経過")).click()
    resident.wait_for_url(re.compile(r"/results/\d+/"))
    timeline = resident.locator("#timeline").inner_text()
    for line in ("予算化 → 実施中", "実施中 → 完了", "50% → 100%", "公園緑地課"):
        assert line in timeline, timeline
    assert "山田職員" not in resident.content() and "clerk" not in resident.content()
    assert resident.locator("#timeline img.result-photo").count() == 1
    # Phone first: nothing wider than the screen.
    assert resident.evaluate("document.documentElement.scrollWidth") <= 360
    resident.screenshot(path=str(artifacts_dir / "accountability-result-timeline.png"), full_page=True)
    resident.goto(f"{base}/results/consultation/{consultation.pk}/")
    assert "北町公園の遊具を新しくしてほしい" in resident.locator("main").inner_text()
    resident.screenshot(path=str(artifacts_dir / "accountability-consultation-results.png"), full_page=True)
    resident.goto(f"{base}/me/notifications/")
    assert "完了" in resident.locator("main").inner_text(), resident.locator("main").inner_text()
    assert result_url
    assert not [e for e in errors if "tile" not in e], errors
