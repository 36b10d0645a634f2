"""Issue 12, sharp edge 1: links in e-mails and open data work without configuration, mails name the site
and the resident by nickname, and the city's public note travels with the status e-mail."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from participation.models import User
from tests.reports_map.conftest import CENTER

pytestmark = pytest.mark.django_db


@pytest.fixture
def unconfigured(settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "city.example.jp"]
    settings.SITE_URL = ""
    settings.SERVING_URL = "http://127.0.0.1:8780"
    return settings


def test_status_mail_links_to_the_address_the_staff_member_used_and_quotes_the_note(
    unconfigured, resident, staff_user, django_capture_on_commit_callbacks
):
    from reports_map.models import Category
    from reports_map.services import report_create

    report = report_create(author=resident, category=Category.objects.get(service_code="road-pothole"),
                           latitude=CENTER[0], longitude=CENTER[1], description="歩道に穴があります")
    client = Client(HTTP_HOST="city.example.jp")
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports_map:update", args=[report.pk]),
                               {"status": "in_progress", "text": "明日、補修班が伺います。"})
    assert response.status_code == 302
    body = mail.outbox[-1].body
    assert f"http://city.example.jp/reports/{report.pk}/" in body
    assert "127.0.0.1:8000" not in body
    assert "明日、補修班が伺います。" in body


def test_mail_sent_outside_a_request_uses_the_serving_address(unconfigured, resident, staff_user,
                                                              django_capture_on_commit_callbacks):
    from reports_map.models import Category
    from reports_map.services import report_create, report_update_post

    report = report_create(author=resident, category=Category.objects.get(service_code="road-pothole"),
                           latitude=CENTER[0], longitude=CENTER[1], description="歩道に穴があります")
    with django_capture_on_commit_callbacks(execute=True):
        report_update_post(report=report, actor=staff_user, status="fixed")
    assert f"http://127.0.0.1:8780/reports/{report.pk}/" in mail.outbox[-1].body


def test_configured_site_url_wins(settings, resident, staff_user, django_capture_on_commit_callbacks):
    from reports_map.models import Category
    from reports_map.services import report_create

    settings.SITE_URL = "https://participation.city.example.jp/"
    report = report_create(author=resident, category=Category.objects.get(service_code="road-pothole"),
                           latitude=CENTER[0], longitude=CENTER[1], description="歩道に穴があります")
    client = Client(HTTP_HOST="127.0.0.1:8001")
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports_map:update", args=[report.pk]), {"status": "fixed"})
    assert f"https://participation.city.example.jp/reports/{report.pk}/" in mail.outbox[-1].body


def test_open_data_urls_use_the_serving_address(unconfigured, demo_pages):
    response = Client(HTTP_HOST="city.example.jp").get(reverse("opendata:download", args=["consultations", "json"]))
    text = b"".join(response.streaming_content) if response.streaming else response.content
    rows = json.loads(text)
    rows = rows.get("rows", rows) if isinstance(rows, dict) else rows
    assert rows and all(row["url"].startswith("http://city.example.jp/") for row in rows), rows[:1]


def test_verification_mail_names_the_site_and_the_nickname(unconfigured, client, settings):
    client.post("/accounts/signup/", {
        "email": "hanako.ux@example.jp", "display_name": "はなこ", "password1": "a-long-Passphrase-2026",
        "password2": "a-long-Passphrase-2026", "preferred_language": "ja", "district": "",
    })
    message = mail.outbox[-1]
    assert settings.WAGTAIL_SITE_NAME in message.body and settings.WAGTAIL_SITE_NAME in message.subject
    assert "testserver" not in message.subject
    assert "hanako.ux" not in message.body.replace("hanako.ux@example.jp", "")
    assert "はなこ" in message.body


def test_login_message_uses_the_nickname(client):
    from allauth.account.models import EmailAddress

    user = User.objects.create_user(username="hanako.ux", email="hanako.ux@example.jp", password="pw-123456789",
                                    display_name="はなこ")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    response = client.post("/accounts/login/", {"login": user.email, "password": "pw-123456789"}, follow=True)
    text = " ".join(str(m) for m in response.context["messages"])
    assert "はなこ" in text and "hanako.ux" not in text
