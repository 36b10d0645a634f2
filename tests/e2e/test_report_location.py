"""Issue 12, sharp edges 2 and 7: the report map shows no pin until a place is chosen, works by keyboard
(focus, arrows, Enter) like the proposal map, speaks Japanese (pin and zoom buttons), offers the current
location, and the photo's location is offered right under the photo field."""

from __future__ import annotations

import pytest

from tests.conftest import make_user
from tests.e2e.test_reports_flow import log_in, phone
from tests.reports_map.conftest import jpeg

pytestmark = pytest.mark.browser


@pytest.fixture
def site(live_asgi):
    from participation.core.predicates import RESIDENT
    from reports_map.demo import seed_categories

    seed_categories()
    make_user("alice", RESIDENT)
    return live_asgi


def test_report_pin_by_keyboard_and_no_pin_before_a_choice(browser, site):
    context = phone(browser)
    context.grant_permissions(["geolocation"])
    context.set_geolocation({"latitude": 35.6815, "longitude": 139.5605})
    page = context.new_page()
    log_in(page, site.url, "alice")
    page.goto(site.url + "/reports/new/")
    page.locator(".leaflet-container").wait_for()
    # Nothing chosen yet: no pin on the map, empty coordinates.
    assert page.locator(".leaflet-marker-icon").count() == 0
    assert page.input_value("#id_latitude") == ""
    # Leaflet's controls speak the page's language.
    assert page.locator(".leaflet-control-zoom-in").get_attribute("title") == "拡大"
    # Keyboard: focus the map, move it, Enter puts the pin at the centre.
    page.locator("#pick-map").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(400)
    page.keyboard.press("Enter")
    page.locator(".leaflet-marker-icon").wait_for()
    assert page.locator(".leaflet-marker-icon").count() == 1
    assert page.input_value("#id_latitude") and page.input_value("#id_longitude")
    pin = page.locator(".leaflet-marker-icon")
    assert pin.get_attribute("alt") != "Marker"
    assert pin.get_attribute("aria-label") == pin.get_attribute("title") == "問題の場所"
    assert "緯度" in page.locator("#location-status").inner_text()
    # The current location (browser geolocation) moves the pin there.
    page.get_by_role("button", name="現在地を使う").click()
    page.wait_for_function("document.getElementById('id_latitude').value.startsWith('35.6815')")
    assert float(page.input_value("#id_longitude")) == pytest.approx(139.5605, abs=1e-5)
    assert page.locator(".leaflet-marker-icon").count() == 1
    context.close()


def test_photo_location_is_offered_next_to_the_photo(browser, site):
    context = phone(browser)
    page = context.new_page()
    log_in(page, site.url, "alice")
    page.goto(site.url + "/reports/new/")
    page.locator(".leaflet-container").wait_for()
    page.set_input_files("#id_photos", files=[{"name": "IMG_0001.jpg", "mimeType": "image/jpeg",
                                              "buffer": jpeg(size=(800, 600))}])
    button = page.locator("#use-photo-location")
    button.wait_for(state="visible")
    photo_box = page.locator("#id_photos").bounding_box()
    button_box = button.bounding_box()
    # Right below the photo field, inside the same screen, not 600 px above it.
    assert 0 <= button_box["y"] - photo_box["y"] < 300, (photo_box, button_box)
    button.click()
    assert page.input_value("#id_latitude")
    assert page.locator(".leaflet-marker-icon").count() == 1
    context.close()
