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


def test_photo_url_is_served_while_visible_and_404_when_hidden(open_consultation, resident, moderator,
                                                               django_capture_on_commit_callbacks):
    """``proposal.image.url`` is really served (public/proposals/ under the public media route) while
    anyone may see the proposal, and 404 while it is hidden or its author blocked."""
    from participation.moderation import services as moderation

    client = Client()
    client.force_login(resident)
    photo = SimpleUploadedFile("park.png", png_bytes(), content_type="image/png")
    client.post(f"/proposals/new/{open_consultation.pk}/", {"title": "花壇", "body": "花を植えたい", "photo": photo})
    p = Proposal.objects.get()
    assert p.image.name.startswith("public/proposals/") and p.thumbnail.name.startswith("public/proposals/")
    visitor = Client()

    def statuses():
        p.refresh_from_db()
        return [visitor.get(p.image.url).status_code, visitor.get(p.thumbnail.url).status_code]

    public_urls = [p.image.url, p.thumbnail.url]
    assert statuses() == [200, 200]
    assert b"".join(visitor.get(p.image.url).streaming_content).startswith(b"\x89PNG")
    with django_capture_on_commit_callbacks(execute=True):
        moderation.item_hide(actor=moderator, kind="proposal", object_id=p.pk, reason="個人情報")
    assert statuses() == [404, 404]
    assert p.image.name.startswith("private/proposals/")
    assert [visitor.get(url).status_code for url in public_urls] == [404, 404]  # the old URL too
    with django_capture_on_commit_callbacks(execute=True):
        moderation.item_unhide(actor=moderator, kind="proposal", object_id=p.pk)
    assert statuses() == [200, 200]
    with django_capture_on_commit_callbacks(execute=True):
        moderation.user_block(actor=moderator, user_id=resident.pk, reason="spam")
    assert statuses() == [404, 404]
    with django_capture_on_commit_callbacks(execute=True):
        moderation.user_unblock(actor=moderator, user_id=resident.pk)
    assert statuses() == [200, 200]


def test_failed_create_leaves_no_photo_file(open_consultation, resident, settings, monkeypatch):
    from pathlib import Path

    from proposals import services
    from proposals.models import Follow

    def boom(**kwargs):
        raise RuntimeError("db down")

    monkeypatch.setattr(Follow.objects, "create", boom)
    photo = SimpleUploadedFile("park.png", png_bytes(), content_type="image/png")
    with pytest.raises(RuntimeError):
        services.proposal_create(author=resident, consultation=open_consultation, title="花壇", body="花", photo=photo)
    root = Path(settings.MEDIA_ROOT)
    assert not Proposal.objects.exists()
    assert not root.exists() or not [f for f in root.rglob("*") if f.is_file()]


def test_migration_moves_old_photos_under_served_paths(open_consultation, resident):
    """Photos stored before under media/proposals/YYYY/MM/ (served by nothing) move to public/ or private/."""
    from importlib import import_module

    from django.apps import apps
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from proposals import services

    old = [default_storage.save(f"proposals/2026/11/{name}", ContentFile(png_bytes())) for name in ("a.png", "a_t.png",
                                                                                                     "b.png", "b_t.png")]
    shown = services.proposal_create(author=resident, consultation=open_consultation, title="見える", body="本文")
    hidden = services.proposal_create(author=resident, consultation=open_consultation, title="隠す", body="本文")
    Proposal.objects.filter(pk=shown.pk).update(image=old[0], thumbnail=old[1])
    Proposal.objects.filter(pk=hidden.pk).update(image=old[2], thumbnail=old[3], hidden_at="2026-11-30T00:00:00Z")
    import_module("proposals.migrations.0006_photos_under_public").place_photos(apps, None)
    shown.refresh_from_db()
    hidden.refresh_from_db()
    assert shown.image.name.startswith("public/proposals/") and shown.thumbnail.name.startswith("public/proposals/")
    assert hidden.image.name.startswith("private/proposals/")
    assert Client().get(shown.image.url).status_code == 200
    assert Client().get(hidden.image.url).status_code == 404
    assert not any(default_storage.exists(name) for name in old)


def test_too_large_photo_is_413_with_the_form_kept(open_consultation, resident, settings):
    client = Client()
    client.force_login(resident)
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8\xff" + b"\x00" * (settings.PHOTO_MAX_BYTES + 10), content_type="image/jpeg")
    r = client.post(f"/proposals/new/{open_consultation.pk}/", {"title": "花壇", "body": "花を植えたい", "photo": big})
    assert r.status_code == 413
    assert "花を植えたい" in r.content.decode()
    assert not Proposal.objects.exists()
