"""A resident marks the place of a proposal on the map (mouse, then keyboard), submits, and the
proposal shows the place. Map tiles never come from the internet here."""

from __future__ import annotations

import base64
import re

import pytest
from django.test import Client
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ONE_PIXEL_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def session_cookie(user, url):
    client = Client()
    client.force_login(user)
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": url}


def test_resident_picks_a_place_on_the_map(browser, live_asgi, open_consultation, resident, artifacts_dir):
    from proposals.models import Proposal

    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ja-JP")
    tiles = []

    def fake_tile(route):
        tiles.append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=ONE_PIXEL_PNG)

    context.route(re.compile(r"^https?://[^/]*tile[^/]*/"), fake_tile)
    context.add_cookies([session_cookie(resident, live_asgi.url)])
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_asgi.url}/proposals/new/{open_consultation.pk}/")

    picker = page.locator("#proposal-location-map")
    expect(picker).to_be_visible()
    assert picker.get_attribute("aria-describedby") == "location-help"
    assert page.input_value("#id_latitude") == "" and page.input_value("#id_longitude") == ""

    # Mouse: a click away from the centre fills both inputs and is announced.
    picker.scroll_into_view_if_needed()
    box = picker.bounding_box()
    picker.click(position={"x": box["width"] * 0.75, "y": box["height"] * 0.25})
    expect(page.locator("#location-status")).not_to_be_empty()
    clicked = (float(page.input_value("#id_latitude")), float(page.input_value("#id_longitude")))
    centre_lat, centre_lon = open_consultation.map_latitude, open_consultation.map_longitude
    assert clicked[0] > centre_lat and clicked[1] > centre_lon  # up and right of the centre
    assert page.locator("#location-status").inner_text().count(page.input_value("#id_latitude")) == 1
    expect(page.locator("#location-clear")).to_be_visible()

    # Keyboard: focus the map, pan left with the arrow keys, Enter puts the pin at the centre.
    lon_before = page.input_value("#id_longitude")
    picker.focus()
    for _ in range(3):
        page.keyboard.press("ArrowLeft")
    page.keyboard.press("Enter")  # may come while the map still pans: the pin goes where the pan ends
    expect(page.locator("#id_longitude")).not_to_have_value(lon_before)
    keyed = (float(page.input_value("#id_latitude")), float(page.input_value("#id_longitude")))
    assert keyed[1] < centre_lon and keyed[0] == pytest.approx(centre_lat, abs=1e-3)
    assert page.url.endswith(f"/proposals/new/{open_consultation.pk}/")  # Enter did not submit the form

    # Remove, then click again: the inputs follow.
    page.locator("#location-clear").click()
    assert page.input_value("#id_latitude") == "" and page.input_value("#id_longitude") == ""
    picker.click(position={"x": box["width"] * 0.5, "y": box["height"] * 0.5})
    lat, lon = page.input_value("#id_latitude"), page.input_value("#id_longitude")
    assert lat and lon

    page.fill("#id_title", "公園の入口に案内板を")
    page.fill("#id_body", "入口が分かりにくく、初めての人が迷っています。")
    page.screenshot(path=str(artifacts_dir / "proposal-location-picker-phone.png"), full_page=True)
    page.locator("form.proposal-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/proposals/\d+/$"))

    proposal = Proposal.objects.get(title="公園の入口に案内板を")
    assert proposal.latitude == pytest.approx(float(lat), abs=1e-6)
    assert proposal.longitude == pytest.approx(float(lon), abs=1e-6)
    expect(page.locator("#proposal-location-text")).to_contain_text(f"{proposal.latitude:.5f}")
    expect(page.locator("#proposal-location-map")).to_be_visible()
    expect(page.locator("#proposal-location-map .location-pin")).to_have_count(1)
    assert tiles and all("openstreetmap" in url or "tile" in url for url in tiles)
    assert not errors, errors
    page.screenshot(path=str(artifacts_dir / "proposal-location-detail-phone.png"), full_page=True)
    context.close()
