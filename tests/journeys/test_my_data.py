"""Issue 12 (smaller edges) on "my data": the download holds everything the resident entered (a proposal's
location, category and photo, a reply's parent, the consultations they follow); the delete-account warning
says exactly what is removed and what stays, and deleting does what it says."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def png_upload() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 30)).save(buffer, "PNG")
    return SimpleUploadedFile("park.png", buffer.getvalue(), content_type="image/png")


def test_download_holds_a_proposals_location_category_and_photo(open_consultation, resident, other_resident):
    from outreach.models import ConsultationFollow
    from proposals.services import comment_create, proposal_create

    category = open_consultation.categories.first()
    proposal = proposal_create(
        author=resident, consultation=open_consultation, title="公園の砂場に屋根を", body="夏は砂が熱くなります。",
        category=category.slug, latitude=35.6581, longitude=139.7017, photo=png_upload(),
    )
    first = comment_create(proposal=proposal, author=other_resident, body="賛成です。", stance="for")
    reply = comment_create(proposal=proposal, author=resident, body="ありがとうございます。", parent=first)
    ConsultationFollow.objects.create(user=resident, consultation_id=open_consultation.pk)

    response = client_for(resident).get(reverse("mydata:download"))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))
    data = json.loads(archive.read("proposals.json"))
    [mine] = data["proposals"]
    assert (mine["latitude"], mine["longitude"]) == (35.6581, 139.7017)
    assert mine["category"] == category.slug and mine["category_name"] == category.name
    assert mine["photo"] in archive.namelist() and archive.read(mine["photo"])[:8] == b"\x89PNG\r\n\x1a\n"
    [my_reply] = data["comments"]
    assert my_reply["id"] == reply.pk and my_reply["parent_id"] == first.pk
    outreach = json.loads(archive.read("outreach.json"))
    assert [f["consultation_id"] for f in outreach["consultation_follows"]] == [open_consultation.pk]
