"""What a resident types into a report is what is stored and shown: through the web form and Open311,
on the pages (escaped), in Open311 JSON and XML and in the triage CSV (open data carries no
description: it may hold personal details)."""

import csv
import io
from xml.etree import ElementTree as ET

import pytest
from django.test import Client
from django.urls import reverse

from reports_map.models import Report
from tests.participation.helpers import TYPED, assert_shown_escaped
from tests.reports_map.test_open311 import BASE, api_key, post  # noqa: F401 (api_key is a fixture)
from tests.reports_map.test_views import form_data


@pytest.mark.parametrize("typed", TYPED)
def test_typed_through_the_form_is_stored_and_shown_exactly(client, resident, category, typed):
    client.force_login(resident)
    response = client.post(reverse("reports_map:new"), form_data(category, description=typed, address=typed))
    assert response.status_code == 302, response.content.decode()[:500]
    report = Report.objects.get()
    assert (report.description, report.address) == (typed, typed)
    page = client.get(reverse("reports_map:detail", args=[report.pk])).content.decode()
    assert_shown_escaped(page, typed)
    listing = Client().get(reverse("reports_map:list")).content.decode()
    assert_shown_escaped(listing, typed)  # the address is on the list


@pytest.mark.parametrize("typed", TYPED)
def test_typed_through_the_draft_step_is_stored_exactly(client, resident, category, make_report, typed):
    make_report(resident)  # a nearby report of the same category: the form goes through the draft
    client.force_login(resident)
    response = client.post(reverse("reports_map:new"), form_data(category, description=typed, address=typed))
    assert response.status_code == 302 and "/confirm/" in response["Location"]
    confirm = client.get(response["Location"]).content.decode()
    assert_shown_escaped(confirm, typed)
    response = client.post(response["Location"], {"action": "submit"})
    assert response.status_code == 302
    assert Report.objects.values_list("description", "address").latest("pk") == (typed, typed)


@pytest.mark.parametrize("typed", TYPED)
def test_typed_through_open311_is_stored_and_returned_exactly(client, api_key, typed):  # noqa: F811
    response = post(client, api_key, description=typed, address_string=typed)
    assert response.status_code == 201, response.content
    report = Report.objects.get()
    assert (report.description, report.address) == (typed, typed)
    record = client.get(f"{BASE}/requests/{report.pk}.json").json()[0]
    assert (record["description"], record["address"]) == (typed, typed)
    xml = ET.fromstring(client.get(f"{BASE}/requests/{report.pk}.xml").content)  # noqa: S314 (our own output)
    assert xml.find("request/description").text == typed


def test_exports_keep_the_text(client, resident, staff_user, make_report):
    for typed in TYPED:
        make_report(resident, description=typed, address=typed)
    client.force_login(staff_user)
    triage = list(csv.DictReader(io.StringIO(client.get(reverse("reports_map:triage_export")).content
                                             .decode("utf-8-sig"))))
    assert sorted(r["description"] for r in triage) == sorted(TYPED)
    assert sorted(r["address"] for r in triage) == sorted(TYPED)
