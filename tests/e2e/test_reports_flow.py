"""At phone size a resident files a geotagged report (EXIF location suggested), sees a nearby duplicate,
files anyway, finds it on the map and in the list; staff mark it in progress; the reporter sees the update."""

from __future__ import annotations

import base64
import re

import pytest

from tests.conftest import make_user
from tests.reports_map.conftest import jpeg

pytestmark = pytest.mark.browser

ONE_PIXEL_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
EXIF_LAT, EXIF_LON = 35 + 40 / 60 + 52 / 3600, 139 + 33 / 60 + 36 / 3600


@pytest.fixture
def reports_site(live_asgi):
    from participation.core.predicates import RESIDENT, STAFF
    from reports_map.demo import seed_categories
    from reports_map.models import Category
    from reports_map.services import report_create

    seed_categories()  # a transactional test database starts without the data migration's rows
    reporter = make_user("alice", RESIDENT)
    neighbour = make_user("bob", RESIDENT)
    make_user("clerk", RESIDENT, STAFF, is_staff=True)
    existing = report_create(
        author=neighbour, category=Category.objects.get(service_code="road-pothole"),
        latitude=EXIF_LAT + 0.0004, longitude=EXIF_LON, description="車道の端に深い穴があります",
    )
    live_asgi.existing = existing
    live_asgi.reporter = reporter
    return live_asgi


def phone(browser):
    context = browser.new_context(viewport={"width": 360, "height": 780}, locale="ja-JP")
    # Never fetch map tiles from the internet in tests.
    context.route(re.compile(r"^https?://[^/]*tile[^/]*/"),
                  lambda route: route.fulfill(status=200, content_type="image/png", body=ONE_PIXEL_PNG))
    return context


def log_in(page, base, username):
    page.goto(base + "/accounts/login/")
    page.fill("#id_login", f"{username}@example.jp")
    page.fill("#id_password", "correct-horse-battery")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()


def test_resident_files_report_staff_updates_it(browser, reports_site, artifacts_dir):
    base = reports_site.url
    existing = reports_site.existing
    context = phone(browser)
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    log_in(page, base, "alice")

    page.goto(base + "/reports/new/")
    page.get_by_label("道路の穴・ひび割れ").check()
    page.set_input_files("#id_photos", files=[{"name": "IMG_0001.jpg", "mimeType": "image/jpeg",
                                              "buffer": jpeg(size=(1200, 900))}])
    suggestion = page.locator("#use-photo-location")
    suggestion.wait_for(state="visible")
    suggestion.click()
    assert page.input_value("#id_latitude"), (errors, page.locator("#location-status").inner_text())
    assert float(page.input_value("#id_latitude")) == pytest.approx(EXIF_LAT, abs=1e-5)
    assert float(page.input_value("#id_longitude")) == pytest.approx(EXIF_LON, abs=1e-5)
    page.fill("#id_description", "歩道の段差に穴が空いていて、つまずきそうです")
    page.fill("#id_address", "みらい駅北口の前")
    page.locator("#nearby-reports").wait_for(state="visible")  # JS already hints at the nearby report
    page.screenshot(path=str(artifacts_dir / "reports-form-360.png"), full_page=True)
    page.locator("#report-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/reports/new/confirm/"))

    # Step 2: the nearby open report of the same category is offered ("me too").
    assert page.locator(f"a[href='/reports/{existing.pk}/']").count() >= 1
    assert page.get_by_role("button", name=re.compile(f"#{existing.pk}")).is_visible()
    page.screenshot(path=str(artifacts_dir / "reports-duplicate-360.png"), full_page=True)
    page.locator("form:has(input[name=action][value=submit]) button").click()
    page.wait_for_url(re.compile(r"/reports/\d+/$"))
    report_id = int(re.search(r"/reports/(\d+)/$", page.url).group(1))
    assert report_id != existing.pk
    assert f"#{report_id}" in page.locator("h1").inner_text()
    assert page.locator(".photo-grid img").count() == 1
    assert "alice" not in page.locator("article").inner_text()  # display name hidden by default

    # The map shows it (tiles mocked), and so does the list.
    page.goto(base + "/reports/")
    marker = page.locator(f".leaflet-marker-icon[title^='#{report_id} ']")
    marker.wait_for(state="attached", timeout=15000)
    assert page.locator(f".report-list a[href='/reports/{report_id}/']").count() == 1
    page.screenshot(path=str(artifacts_dir / "reports-map-360.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # Staff mark it in progress with a public update.
    staff_context = phone(browser)
    staff = staff_context.new_page()
    log_in(staff, base, "clerk")
    staff.goto(f"{base}/reports/{report_id}/")
    staff.select_option("#id_status", "in_progress")
    staff.fill("#id_text", "現地を確認し、補修を手配しました。")
    staff.locator("form[action$='/update/'] button[type=submit]").click()
    staff.wait_for_load_state()
    assert "現地を確認し、補修を手配しました。" in staff.content()
    staff_context.close()

    # The reporter sees the update and gets a notification.
    page.goto(f"{base}/reports/{report_id}/")
    assert "現地を確認し、補修を手配しました。" in page.locator(".report-history").inner_text()
    assert page.locator(".status-badge.status-yellow").count() == 1
    page.screenshot(path=str(artifacts_dir / "reports-updated-360.png"), full_page=True)
    page.goto(base + "/me/notifications/")
    assert f"#{report_id}" in page.locator("main").inner_text()
    context.close()
