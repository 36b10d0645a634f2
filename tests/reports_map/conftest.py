from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from reports_map.models import Category

CENTER = (35.6812, 139.5600)  # inside the demo boundary


def jpeg(size=(320, 240), gps=True, color=(120, 90, 60)) -> bytes:
    img = Image.new("RGB", size, color)
    buf = io.BytesIO()
    if gps:
        exif = Image.Exif()
        exif[0x010F] = "TestCam"
        exif[0x8825] = {1: "N", 2: (35.0, 40.0, 52.0), 3: "E", 4: (139.0, 33.0, 36.0)}
        img.save(buf, "JPEG", exif=exif.tobytes())
    else:
        img.save(buf, "JPEG")
    return buf.getvalue()


def upload(data: bytes | None = None, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data if data is not None else jpeg(), content_type=content_type)


@pytest.fixture
def category(db):
    return Category.objects.get(service_code="road-pothole")


@pytest.fixture
def other_category(db):
    return Category.objects.get(service_code="streetlight")


@pytest.fixture
def make_report(db, category):
    from reports_map.services import report_create

    def make(author, *, lat=CENTER[0], lon=CENTER[1], description="歩道に穴があります", photos=(), cat=None, **extra):
        return report_create(author=author, category=cat or category, latitude=lat, longitude=lon,
                             description=description, photos=photos, **extra)

    return make


def media_files(settings) -> list[str]:
    from pathlib import Path

    root = Path(settings.MEDIA_ROOT)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []
