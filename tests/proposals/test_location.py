"""A proposal's optional place: both coordinates or neither, in range, through the form and the API;
the detail page shows it (text for everyone, the map when the script runs)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from participation.core.maps import tile_config
from proposals.forms import ProposalForm
from proposals.models import Proposal
from tests.proposals.factories import make_proposal


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def post_new(client, consultation, **location):
    data = {"title": "公園に日よけを", "body": "夏は遊具が熱くて使えません。", "category": ""}
    data.update(location)
    return client.post(f"/proposals/new/{consultation.pk}/", data)


@pytest.mark.parametrize(("location", "field"), [
    ({"latitude": "91", "longitude": "139.7"}, "latitude"),
    ({"latitude": "-90.5", "longitude": "139.7"}, "latitude"),
    ({"latitude": "35.6", "longitude": "180.01"}, "longitude"),
    ({"latitude": "35.6", "longitude": ""}, "longitude"),
    ({"latitude": "", "longitude": "139.7"}, "latitude"),
    ({"latitude": "北緯35度", "longitude": "139.7"}, "latitude"),
    ({"latitude": "nan", "longitude": "139.7"}, "latitude"),
    ({"latitude": "inf", "longitude": "139.7"}, "latitude"),
])
def test_form_refuses_bad_coordinates(open_consultation, location, field):
    form = ProposalForm(data={"title": "t", "body": "b", **location}, consultation=open_consultation)
    assert not form.is_valid()
    assert field in form.errors


def test_half_a_location_is_refused_with_a_clear_message_and_nothing_stored(open_consultation, resident):
    response = post_new(logged_in(resident), open_consultation, latitude="35.68", longitude="")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Give both latitude and longitude" in html or "緯度と経度" in html
    assert 'id="id_longitude_error"' in html
    assert not Proposal.objects.exists()


def test_out_of_range_is_refused_and_nothing_stored(open_consultation, resident):
    response = post_new(logged_in(resident), open_consultation, latitude="95", longitude="139.7")
    assert response.status_code == 400
    assert 'id="id_latitude_error"' in response.content.decode()
    assert not Proposal.objects.exists()


def test_form_accepts_a_place_or_none(open_consultation, resident):
    client = logged_in(resident)
    response = post_new(client, open_consultation, latitude="35.681236", longitude="139.767125")
    assert response.status_code == 302
    p = Proposal.objects.get()
    assert (p.latitude, p.longitude) == pytest.approx((35.681236, 139.767125))
    detail = client.get(p.get_absolute_url()).content.decode()
    assert "35.68124, 139.76713" in detail  # the text, for everyone
    assert "data-location-show" in detail and "proposal-location-config" in detail
    assert "participation/map_tiles.js" in detail
    assert post_new(client, open_consultation, latitude="", longitude="").status_code == 302
    assert Proposal.objects.filter(latitude__isnull=True).count() == 1


def test_form_page_has_the_picker_and_plain_inputs(open_consultation, resident):
    html = logged_in(resident).get(f"/proposals/new/{open_consultation.pk}/").content.decode()
    # The inputs work on their own; the map (hidden until the script shows it) is labelled and described.
    assert 'name="latitude"' in html and 'name="longitude"' in html
    assert "data-location-picker" in html and 'aria-describedby="location-help"' in html and "hidden" in html
    config = json.loads(html.split('id="proposal-location-config" type="application/json">')[1].split("</script>")[0])
    assert config["center"] == [open_consultation.map_latitude, open_consultation.map_longitude]
    assert "%(lat)s" in config["text"]["placed"]
    assert config.items() >= tile_config().items()  # the same tiles as the reports map
    order = [html.index(s) for s in ("leaflet.js", "participation/map_tiles.js", "participation/location_picker.js")]
    assert order == sorted(order)


def test_detail_without_place_loads_no_map(open_consultation, resident, client):
    p = make_proposal(open_consultation, resident)
    html = client.get(p.get_absolute_url()).content.decode()
    assert "leaflet.js" not in html and "map_tiles.js" not in html and "data-location-show" not in html


def test_edit_keeps_and_validates_the_place(open_consultation, resident):
    p = make_proposal(open_consultation, resident, latitude=35.0, longitude=139.0)
    client = logged_in(resident)
    assert 'value="35.0"' in client.get(f"/proposals/{p.pk}/edit/").content.decode()
    bad = client.post(f"/proposals/{p.pk}/edit/", {"title": p.title, "body": p.body, "latitude": "35.1", "longitude": ""})
    assert bad.status_code == 400
    p.refresh_from_db()
    assert (p.latitude, p.longitude) == (35.0, 139.0)


@pytest.mark.parametrize("location", [
    {"latitude": 35.6}, {"longitude": 139.7}, {"latitude": 91, "longitude": 139.7}, {"latitude": 35, "longitude": -181},
])
def test_api_refuses_bad_coordinates(open_consultation, resident, location):
    from django.middleware.csrf import _get_new_csrf_string

    client = Client(enforce_csrf_checks=True)
    client.force_login(resident)
    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token
    response = client.post(f"/api/v1/consultations/{open_consultation.pk}/proposals",
                           json.dumps({"title": "t", "body": "b", **location}), content_type="application/json",
                           HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 400, response.content
    assert response.json().get("detail") or response.json().get("errors") or response.json().get("message")
    assert not Proposal.objects.exists()
