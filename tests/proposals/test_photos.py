"""An optional photo on a proposal goes through the shared pipeline before anything is stored."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from proposals.models import Proposal

pytestmark = pytest.mark.django_db


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def test_photo_is_processed_and_stored(open_consultation, resident):
    client = Client()
    client.force_login(resident)
    photo = SimpleUploadedFile("park.png", png_bytes(), content_type="image/png")
    r = client.post(f"/proposals/new/{open_consultation.pk}/", {"title": "花壇", "body": "花を植えたい", "photo": photo})
    assert r.status_code == 302
    p = Proposal.objects.get()
    assert p.image.name.endswith(".png") and p.thumbnail
    assert 'alt="' in client.get(p.get_absolute_url()).content.decode()


def test_bad_photo_stores_nothing(open_consultation, resident):
    client = Client()
    client.force_login(resident)
    fake = SimpleUploadedFile("evil.png", b"<svg onload=alert(1)>", content_type="image/png")
    r = client.post(f"/proposals/new/{open_consultation.pk}/", {"title": "花壇", "body": "花を植えたい", "photo": fake})
    assert r.status_code == 400
    assert "花を植えたい" in r.content.decode()
    assert not Proposal.objects.exists()
