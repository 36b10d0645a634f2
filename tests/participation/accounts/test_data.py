"""Residents' control: download my data (ZIP of JSON + photos), delete my account, change name and e-mail."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from participation.accounts.data import _safe_zip_path
from participation.models import Flag, ModerationAction, User
from tests.participation.helpers import make_comment, make_proposal

PASSWORD = "correct-horse-battery"


def client_for(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def activity(open_consultation, resident, other_resident):
    from proposals.services import support_add

    mine = make_proposal(resident, open_consultation)
    theirs = make_proposal(other_resident, open_consultation)
    comment = make_comment(theirs, resident, body="私のコメント")
    support_add(proposal=theirs, user=resident)
    return mine, theirs, comment


@pytest.fixture
def report_with_photo(resident):
    from reports_map.demo import _draw_photo, seed_categories
    from reports_map.models import Category
    from reports_map.services import report_create

    seed_categories()
    import random

    image, _thumb = _draw_photo(random.Random(1), 3)
    from django.core.files.uploadedfile import SimpleUploadedFile

    photo = SimpleUploadedFile("p.jpg", image, content_type="image/jpeg")
    lat, lon = settings.CITY["center"]
    return report_create(author=resident, category=Category.objects.filter(active=True).first(), latitude=lat,
                         longitude=lon, description="街灯が消えています", photos=[photo])


def test_overview_roles(resident):
    assert Client().get(reverse("mydata:overview")).status_code == 302
    assert Client().get(reverse("mydata:download")).status_code == 302
    assert Client().post(reverse("mydata:delete")).status_code == 302
    page = client_for(resident).get(reverse("mydata:overview"))
    assert page.status_code == 200
    body = page.content.decode()
    assert reverse("mydata:download") in body and reverse("account_email") in body


def test_download_zip_has_json_and_photos(resident, activity, report_with_photo, other_resident):
    Flag.objects.create(user=resident, kind="user", object_id=other_resident.pk, reason="spam", details="詳細")
    response = client_for(resident).get(reverse("mydata:download"))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    assert {"account.json", "proposals.json", "reports.json", "README.txt"} <= set(names)
    account = json.loads(archive.read("account.json"))
    assert account["account"]["email"] == resident.email
    assert account["flags"][0]["details"] == "詳細"
    proposals = json.loads(archive.read("proposals.json"))
    assert [c["body"] for c in proposals["comments"]] == ["私のコメント"]
    photos = [n for n in names if n.startswith("reports/") and n.endswith((".jpg", ".jpeg", ".png", ".webp"))]
    assert photos, names
    assert archive.read(photos[0])[:2] == b"\xff\xd8" or archive.read(photos[0])[:4] in (b"\x89PNG", b"RIFF")
    # nothing of another resident
    assert other_resident.email not in json.dumps([archive.read(n).decode(errors="ignore") for n in names if n.endswith(".json")])


def test_zip_paths_cannot_escape():
    assert _safe_zip_path("reports", "../../etc/passwd") == "reports/etc/passwd"
    assert _safe_zip_path("reports", "/abs/x.jpg") == "reports/abs/x.jpg"
    assert _safe_zip_path("reports", "reports/1/x.jpg") == "reports/1/x.jpg"
    assert _safe_zip_path("reports", "") is None


def test_delete_needs_password_and_confirmation(resident, activity):
    client = client_for(resident)
    for data in ({"password": "wrong-password", "confirm": "on"}, {"password": PASSWORD}, {}):
        response = client.post(reverse("mydata:delete"), data)
        assert response.status_code == 400
        assert 'aria-invalid="true"' in response.content.decode()
    resident.refresh_from_db()
    assert resident.is_active and resident.username == "alice"


def test_delete_anonymises_and_keeps_counts_consistent(resident, activity, other_resident):
    from proposals.models import Comment, Proposal
    from proposals.tally import counts_reconcile

    mine, theirs, comment = activity
    theirs.refresh_from_db()
    assert theirs.support_count == 1
    client = client_for(resident)
    response = client.post(reverse("mydata:delete"), {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    user = User.objects.get(pk=resident.pk)
    assert user.username == f"deleted-{user.pk}" and user.email == "" and not user.is_active
    assert not user.has_usable_password() and user.display_name == "deleted user"
    assert str(user.public_name) in ("deleted user", "削除されたユーザー") or user.public_name
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not user.groups.exists()
    # content stays, shown as deleted user; counts follow
    assert Comment.objects.filter(pk=comment.pk, author=user).exists()
    assert Proposal.objects.filter(pk=mine.pk).exists()
    theirs.refresh_from_db()
    assert theirs.support_count == 0
    assert counts_reconcile(fix=False) == []
    assert ModerationAction.objects.filter(action="account_delete", target_id=user.pk).exists()
    # signed out, and cannot sign in again
    assert client.get(reverse("participation:profile")).status_code == 302
    login = Client()
    login.post(reverse("account_login"), {"login": "alice@example.jp", "password": PASSWORD})
    assert login.get(reverse("participation:profile")).status_code == 302
    # the page for the proposal shows "deleted user", never the old nickname
    page = Client().get(mine.get_absolute_url()).content.decode()
    assert "alice" not in page


def test_change_display_name_and_markup_is_refused(resident):
    client = client_for(resident)
    response = client.post(reverse("participation:profile"), {
        "display_name": "<b>x</b>", "preferred_language": "ja", "district": "", "email_notifications": "on"})
    assert response.status_code == 200
    resident.refresh_from_db()
    assert resident.display_name == "alice"
    client.post(reverse("participation:profile"), {
        "display_name": "新しい名前", "preferred_language": "ja", "district": "", "email_notifications": "on"})
    resident.refresh_from_db()
    assert resident.display_name == "新しい名前"


def test_change_email_needs_reverification(resident):
    client = client_for(resident)
    mail.outbox.clear()
    response = client.post(reverse("account_email"), {"action_add": "", "email": "alice.new@example.jp"})
    assert response.status_code in (200, 302)
    new = EmailAddress.objects.get(user=resident, email="alice.new@example.jp")
    assert not new.verified
    resident.refresh_from_db()
    assert resident.email == "alice@example.jp"  # the old address stays until the new one is confirmed
    assert any("alice.new@example.jp" in m.to for m in mail.outbox)
