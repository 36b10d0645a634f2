"""Pages and endpoints: settings, push opt-in JSON, manifest and service worker at the root, feeds."""

from __future__ import annotations

import json
import socket
import xml.etree.ElementTree as ET

import pytest

from outreach import push
from outreach.models import AreaSubscription, Preferences, PushSubscription
from participation.core.predicates import RESIDENT
from tests.conftest import make_user

ATOM = "{http://www.w3.org/2005/Atom}"


def test_settings_page_needs_login(client, db):
    response = client.get("/outreach/settings/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_settings_page_saves_preferences(client, resident, topics, vapid):
    client.force_login(resident)
    page = client.get("/outreach/settings/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-vapid-key="{vapid}"' in html and "outreach/push.js" in html
    response = client.post("/outreach/settings/", {
        "via_site": "on", "via_push": "on", "followups": "on", "email_mode": "weekly",
        "topics": [topics["bousai"].pk], "quiet_start": "22:00", "quiet_end": "06:30",
    })
    assert response.status_code == 302
    prefs = Preferences.objects.get(user=resident)
    assert (prefs.via_email, prefs.via_push, prefs.email_mode) == (False, True, "weekly")
    assert str(prefs.quiet_end) == "06:30:00" and list(prefs.topics.all()) == [topics["bousai"]]


def test_settings_errors_keep_input_and_change_nothing(client, resident):
    client.force_login(resident)
    response = client.post("/outreach/settings/", {"email_mode": "weekly", "quiet_start": "22:00"})
    assert response.status_code == 200
    assert "おやすみ時間は開始と終了の両方" in response.content.decode()
    assert not Preferences.objects.exists()


def test_push_subscribe_endpoint(client, resident, browser_keys, monkeypatch):
    monkeypatch.setattr(push.socket, "getaddrinfo", lambda *a, **k: [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("142.250.1.1", 443))])
    body = {"endpoint": "https://fcm.googleapis.com/fcm/send/abc", "keys": {"p256dh": browser_keys.p256dh,
                                                                              "auth": browser_keys.auth_b64}}
    assert client.post("/outreach/push/subscribe/", json.dumps(body), content_type="application/json").status_code == 403
    client.force_login(resident)
    hostile = {**body, "endpoint": "https://169.254.169.254/latest/meta-data/"}
    response = client.post("/outreach/push/subscribe/", json.dumps(hostile), content_type="application/json")
    assert response.status_code == 400 and "公開されたホスト" in response.json()["errors"]["endpoint"][0]
    response = client.post("/outreach/push/subscribe/", "not json", content_type="application/json")
    assert response.status_code == 400
    response = client.post("/outreach/push/subscribe/", json.dumps(body), content_type="application/json",
                           HTTP_USER_AGENT="Mozilla/5.0 Chrome")
    assert response.status_code == 201
    assert PushSubscription.objects.get().user_agent == "Mozilla/5.0 Chrome"
    response = client.post("/outreach/push/unsubscribe/", json.dumps({"endpoint": body["endpoint"]}),
                           content_type="application/json")
    assert response.status_code == 200 and not PushSubscription.objects.exists()


def test_push_subscribe_errors_in_english(client, resident):
    client.force_login(resident)
    response = client.post("/en/outreach/push/subscribe/", json.dumps({"endpoint": "http://x.example/"}),
                           content_type="application/json")
    assert response.json()["errors"]["endpoint"] == ["Push endpoints must use https."]


def test_push_subscribe_requires_csrf(resident, browser_keys):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(resident)
    response = client.post("/outreach/push/subscribe/", "{}", content_type="application/json")
    assert response.status_code == 403


def test_manifest_and_service_worker_at_the_root(client, db):
    manifest = client.get("/manifest.webmanifest")
    assert manifest.status_code == 200 and manifest["Content-Type"] == "application/manifest+json"
    data = json.loads(manifest.content)
    assert data["start_url"] == "/" and data["display"] == "standalone" and len(data["icons"]) == 2
    for icon in data["icons"]:
        assert client.get(icon["src"]).status_code == 200
    worker = client.get("/sw.js")
    assert worker.status_code == 200 and worker["Content-Type"].startswith("application/javascript")
    assert worker["Service-Worker-Allowed"] == "/" and "showNotification" in worker.content.decode()
    assert client.get("/en/sw.js").status_code == 404  # no language prefix for the root files


def test_area_form(client, resident, districts):
    client.force_login(resident)
    response = client.post("/outreach/areas/", {"kind": "district", "district": districts["北町"].pk,
                                                "reports": "on", "consultations": "on"})
    assert response.status_code == 302
    response = client.post("/outreach/areas/", {"kind": "circle", "radius_m": 500, "reports": "on"}, follow=True)
    assert "地図で地点を選び" in response.content.decode()
    area = AreaSubscription.objects.get()
    other = make_user("other", RESIDENT)
    client.force_login(other)
    client.post(f"/outreach/areas/{area.pk}/delete/")
    assert AreaSubscription.objects.filter(pk=area.pk).exists()  # not theirs
    client.force_login(resident)
    client.post(f"/outreach/areas/{area.pk}/delete/")
    assert not AreaSubscription.objects.exists()


def _entries(response) -> list[str]:
    assert response.status_code == 200 and response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own feed
    return [e.find(f"{ATOM}title").text for e in root.findall(f"{ATOM}entry")]


def test_report_feeds_by_district_and_box(client, db, districts, django_capture_on_commit_callbacks):
    from reports_map.models import Category
    from reports_map.services import report_create

    author = make_user("author", RESIDENT)
    cat = Category.objects.get(service_code="road-pothole")
    kita = report_create(author=author, category=cat, latitude=35.695, longitude=139.56, description="北の穴")
    minami = report_create(author=author, category=cat, latitude=35.665, longitude=139.56, description="南の穴")
    titles = _entries(client.get("/outreach/feeds/reports.atom", {"district": "北町"}))
    assert len(titles) == 1 and titles[0].startswith(f"#{kita.pk} ")
    titles = _entries(client.get("/outreach/feeds/reports.atom", {"bbox": "139.5,35.66,139.6,35.70"}))
    assert {t.split()[0] for t in titles} == {f"#{kita.pk}", f"#{minami.pk}"}
    assert client.get("/outreach/feeds/reports.atom", {"district": "火星町"}).status_code == 400
    assert client.get("/outreach/feeds/reports.atom", {"bbox": "1,2,3"}).status_code == 400
    assert client.get("/outreach/feeds/reports.atom").status_code == 400


def test_consultation_feed_lists_proposals_and_answers(client, resident, staff_user, open_consultation):
    from proposals.services import proposal_answer, proposal_create

    proposal = proposal_create(author=resident, consultation=open_consultation, title="ベンチを増やして",
                               body="公園にベンチを")
    proposal_answer(proposal=proposal, user=staff_user, state="accepted", answer="設置します")
    titles = _entries(client.get(f"/outreach/feeds/consultations/{open_consultation.pk}.atom"))
    assert "ベンチを増やして" in titles and any("ベンチを増やして" in t and t != "ベンチを増やして" for t in titles)
    assert client.get("/outreach/feeds/consultations/999999.atom").status_code == 404


@pytest.mark.parametrize("url", ["/outreach/settings/", "/outreach/announcements/"])
def test_pages_render_in_english(client, resident, url):
    client.force_login(resident)
    assert client.get("/en" + url).status_code == 200
