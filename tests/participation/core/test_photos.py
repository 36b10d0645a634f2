"""The shared photo pipeline refuses every bad input from issue 4 and strips all metadata."""

from __future__ import annotations

import io
import os
import struct
import tempfile
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from participation.core.photos import HEIF_AVAILABLE, ProcessedPhoto, process_photo


def jpeg_bytes(size=(800, 600), color=(120, 90, 60), exif=None) -> bytes:
    buf = io.BytesIO()
    img = Image.new("RGB", size, color)
    kwargs = {"exif": exif.tobytes()} if exif is not None else {}
    img.save(buf, "JPEG", **kwargs)
    return buf.getvalue()


def gps_exif(lat=(35.0, 40.0, 52.0), lat_ref="N", lon=(139.0, 33.0, 36.0), lon_ref="E", orientation=None):
    exif = Image.Exif()
    exif[0x010F] = "TestCam"
    exif[0x0110] = "Model-X"
    exif[0x8825] = {1: lat_ref, 2: lat, 3: lon_ref, 4: lon}
    if orientation:
        exif[0x0112] = orientation
    return exif


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_declaring(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", zlib.compress(b"\x00" * 1000))
            + png_chunk(b"IEND", b""))


def upload(data: bytes, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def assert_refused(data: bytes, code: str, name="photo.jpg"):
    with pytest.raises(ValidationError) as info:
        process_photo(upload(data, name))
    assert info.value.code == code, info.value
    assert str(info.value.messages[0])
    return info.value


def test_jpeg_with_gps_is_reencoded_without_any_exif_and_gps_is_suggested():
    result = process_photo(upload(jpeg_bytes(exif=gps_exif())))
    assert isinstance(result, ProcessedPhoto)
    assert result.extension == "jpg"
    assert (result.width, result.height) == (800, 600)
    lat, lon = result.gps
    assert lat == pytest.approx(35 + 40 / 60 + 52 / 3600, abs=1e-6)
    assert lon == pytest.approx(139 + 33 / 60 + 36 / 3600, abs=1e-6)
    for blob in (result.image_bytes, result.thumbnail_bytes):
        assert b"Exif" not in blob
        assert b"TestCam" not in blob
        stored = Image.open(io.BytesIO(blob))
        assert not stored.getexif()
        assert "exif" not in stored.info and "xmp" not in stored.info and "icc_profile" not in stored.info
    assert max(Image.open(io.BytesIO(result.thumbnail_bytes)).size) <= 400


def test_southern_western_gps_is_negative():
    result = process_photo(upload(jpeg_bytes(exif=gps_exif(lat_ref="S", lon_ref="W"))))
    assert result.gps[0] < 0 and result.gps[1] < 0


def test_photo_without_gps_suggests_nothing():
    assert process_photo(upload(jpeg_bytes())).gps is None


def test_exif_orientation_is_applied():
    # Orientation 6 = rotate 90° clockwise for display: 800x600 becomes 600x800.
    result = process_photo(upload(jpeg_bytes(exif=gps_exif(orientation=6))))
    assert (result.width, result.height) == (600, 800)
    assert Image.open(io.BytesIO(result.image_bytes)).size == (600, 800)


def test_png_and_webp_keep_their_format_without_metadata():
    img = Image.new("RGBA", (64, 48), (10, 200, 30, 128))
    png = io.BytesIO()
    img.save(png, "PNG", pnginfo=_pnginfo("secret", "location"))
    result = process_photo(upload(png.getvalue(), "x.png", "image/png"))
    assert result.extension == "png"
    assert b"secret" not in result.image_bytes
    webp = io.BytesIO()
    img.save(webp, "WEBP", exif=gps_exif().tobytes())
    result = process_photo(upload(webp.getvalue(), "x.webp", "image/webp"))
    assert result.extension == "webp"
    assert not Image.open(io.BytesIO(result.image_bytes)).getexif()
    assert b"TestCam" not in result.image_bytes


def _pnginfo(key, value):
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text(key, value)
    return info


def test_large_photo_is_scaled_down():
    result = process_photo(upload(jpeg_bytes(size=(4000, 3000))))
    assert max(result.width, result.height) == 2560


def test_png_header_declaring_60000_by_60000_pixels_is_refused_before_decoding():
    assert_refused(png_declaring(60000, 60000), "photo_too_many_pixels", "bomb.png")


def test_pixel_cap_from_setting(settings):
    settings.PHOTO_MAX_PIXELS = 1_000_000
    assert_refused(png_declaring(2000, 1000), "photo_too_many_pixels", "big.png")


def test_thousand_frame_gif_is_refused():
    frames = [Image.new("P", (8, 8), i % 256) for i in range(1000)]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:])
    assert_refused(buf.getvalue(), "photo_format", "animated.jpg")


def test_animated_webp_is_refused():
    frames = [Image.new("RGB", (16, 16), (i * 40, 0, 0)) for i in range(3)]
    buf = io.BytesIO()
    frames[0].save(buf, "WEBP", save_all=True, append_images=frames[1:])
    assert_refused(buf.getvalue(), "photo_animated", "animated.webp")


def test_animated_png_is_refused():
    frames = [Image.new("RGB", (16, 16), (0, i * 40, 0)) for i in range(3)]
    buf = io.BytesIO()
    frames[0].save(buf, "PNG", save_all=True, append_images=frames[1:])
    assert_refused(buf.getvalue(), "photo_animated", "animated.png")


@pytest.mark.parametrize("payload", [
    b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
    b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
    b"%PDF-1.4 not a photo",
    b"GIF89a" + b"\x00" * 100,
    b"BM" + b"\x00" * 100,
])
def test_non_images_renamed_jpg_are_refused(payload):
    assert_refused(payload, "photo_format", "photo.jpg")


def test_truncated_jpeg_is_refused():
    data = jpeg_bytes(size=(400, 300))
    with pytest.raises(ValidationError) as info:
        process_photo(upload(data[: len(data) // 2]))
    assert info.value.code in {"photo_damaged", "photo_format"}
    with pytest.raises(ValidationError):
        process_photo(upload(data[:200]))


def test_empty_file_is_refused():
    assert_refused(b"", "photo_empty")


def test_30_mb_photo_is_refused_by_size(settings):
    data = b"\xff\xd8\xff" + b"\x00" * (30 * 1024 * 1024)
    assert_refused(data, "photo_too_large")


def test_size_cap_applies_while_reading_even_without_declared_size(settings):
    settings.PHOTO_MAX_BYTES = 1000

    class Stream(io.BytesIO):
        size = None

    with pytest.raises(ValidationError) as info:
        process_photo(Stream(b"\xff\xd8\xff" + b"\x00" * 5000))
    assert info.value.code == "photo_too_large"


def test_error_messages_are_translated():
    with translation.override("ja"):
        error = assert_refused(b"<svg/>", "photo_format")
    with translation.override("en"):
        english = assert_refused(b"<svg/>", "photo_format")
    assert "JPEG" in english.messages[0]
    assert error.messages[0]


def test_no_temporary_files_are_left(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    process_photo(upload(jpeg_bytes(exif=gps_exif())))
    for bad in (png_declaring(60000, 60000), b"<svg/>", jpeg_bytes()[:100]):
        with pytest.raises(ValidationError):
            process_photo(upload(bad))
    assert os.listdir(tmp_path) == []


@pytest.mark.skipif(not HEIF_AVAILABLE, reason="pillow-heif not installed")
def test_heic_is_accepted_and_stored_as_jpeg():
    import pillow_heif

    img = Image.new("RGB", (64, 48), (200, 100, 50))
    heif = pillow_heif.from_pillow(img)
    buf = io.BytesIO()
    heif.save(buf, quality=80)
    result = process_photo(upload(buf.getvalue(), "x.heic", "image/heic"))
    assert result.extension == "jpg"
    assert Image.open(io.BytesIO(result.image_bytes)).format == "JPEG"
