"""The shared photo pipeline: every uploaded photo goes through ``process_photo`` before anything is stored.

Order matters and is the point of this module:
1. size cap (``PHOTO_MAX_BYTES``) checked from the upload's declared size and while reading, so a
   30 MB file is refused without reading it all;
2. format sniffed from the bytes (never from the file name or content type), allowlist
   JPEG / PNG / WebP (+ HEIC/HEIF when pillow-heif is importable);
3. pixel cap (``PHOTO_MAX_PIXELS``) from the header, before any pixel is decoded; Pillow's
   decompression-bomb warning is turned into an error;
4. animated / multi-frame images refused;
5. EXIF GPS read only to be returned as a location *suggestion*;
6. EXIF orientation applied, then the pixels re-encoded into a fresh image with no metadata
   at all (no EXIF, XMP, ICC, GPS) plus a thumbnail.

Everything happens in memory: no temporary file is written, the original bytes are never
returned, and any failure raises ``django.core.exceptions.ValidationError`` with a translated
message (the caller stores nothing).
"""

from __future__ import annotations

import contextlib
import io
import math
import struct
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

try:  # HEIC/HEIF from phones, only when the optional decoder is installed
    import pillow_heif

    pillow_heif.register_heif_opener()
    HEIF_AVAILABLE = True
except Exception:  # pragma: no cover - depends on the environment
    HEIF_AVAILABLE = False

# Pillow format name -> stored extension. HEIF is decoded but re-encoded as JPEG.
ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
if HEIF_AVAILABLE:
    ALLOWED_FORMATS.update({"HEIF": "jpg", "HEIC": "jpg"})

MAX_EDGE = 2560  # stored photos are scaled down to this longest edge
THUMBNAIL_EDGE = 400
JPEG_QUALITY = 85
GPS_IFD = 0x8825
READ_CHUNK = 64 * 1024

CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


@dataclass(frozen=True)
class ProcessedPhoto:
    """A re-encoded photo, safe to store: no metadata, orientation applied."""

    image_bytes: bytes
    thumbnail_bytes: bytes
    extension: str  # "jpg" | "png" | "webp"
    width: int
    height: int
    gps: tuple[float, float] | None  # (latitude, longitude) suggested by the original's EXIF

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.extension]


def _sniff(head: bytes) -> str | None:
    """The container format from its magic bytes; None when not on the allowlist."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if HEIF_AVAILABLE and len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] in {
        b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"
    }:
        return "HEIF"
    return None


def _read_capped(uploaded_file, max_bytes: int) -> bytes:
    declared = getattr(uploaded_file, "size", None)
    if declared is not None and declared > max_bytes:
        raise _too_large(max_bytes)
    if hasattr(uploaded_file, "seek"):
        with contextlib.suppress(OSError, ValueError):
            uploaded_file.seek(0)
    buffer = io.BytesIO()
    read = 0
    while True:
        chunk = uploaded_file.read(READ_CHUNK)
        if not chunk:
            break
        read += len(chunk)
        if read > max_bytes:
            raise _too_large(max_bytes)
        buffer.write(chunk)
    return buffer.getvalue()


def refused_status(form) -> int:
    """The status of a refused form: 413 when a photo was too large, 400 otherwise (never 200, issue 17)."""
    codes = {error.code for errors in form.errors.as_data().values() for error in errors}
    return 413 if "photo_too_large" in codes else 400


def error_status(exc: ValidationError) -> int:
    """The same for an API answering a ValidationError: 413 for a photo too large, 400 otherwise."""
    errors = [e for es in exc.error_dict.values() for e in es] if hasattr(exc, "error_dict") else exc.error_list
    return 413 if any(error.code == "photo_too_large" for error in errors) else 400


def _too_large(max_bytes: int) -> ValidationError:
    return ValidationError(
        _("The photo is too large. The maximum is %(size)s.") % {"size": filesizeformat(max_bytes)},
        code="photo_too_large",
    )


def _not_an_image() -> ValidationError:
    return ValidationError(
        _("This file is not a supported photo. Please upload a JPEG, PNG or WebP image."), code="photo_format"
    )


def _too_many_pixels() -> ValidationError:
    return ValidationError(
        _("The photo has too many pixels. The maximum is %(megapixels)s megapixels.")
        % {"megapixels": settings.PHOTO_MAX_PIXELS // 1_000_000},
        code="photo_too_many_pixels",
    )


def _rational(value) -> float:
    if isinstance(value, tuple) and len(value) == 2:
        num, den = value
        return float(num) / float(den) if den else float("nan")
    return float(value)


def _dms_to_degrees(dms, ref) -> float | None:
    try:
        degrees, minutes, seconds = (_rational(v) for v in dms)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    value = degrees + minutes / 60 + seconds / 3600
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "ignore")
    if str(ref).strip().upper() in {"S", "W"}:
        value = -value
    return value if math.isfinite(value) else None


def _read_gps(image: Image.Image) -> tuple[float, float] | None:
    """The EXIF GPS position as (latitude, longitude), or None. Only ever used as a suggestion."""
    try:
        gps = image.getexif().get_ifd(GPS_IFD)
    except Exception:
        return None
    if not gps or 2 not in gps or 4 not in gps:
        return None
    lat = _dms_to_degrees(gps.get(2), gps.get(1, "N"))
    lon = _dms_to_degrees(gps.get(4), gps.get(3, "E"))
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    if lat == 0 and lon == 0:
        return None
    return (round(lat, 7), round(lon, 7))


def _encode(image: Image.Image, extension: str) -> bytes:
    out = io.BytesIO()
    if extension == "jpg":
        image.convert("RGB").save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    elif extension == "png":
        image.save(out, "PNG", optimize=True)
    else:
        image.save(out, "WEBP", quality=JPEG_QUALITY)
    return out.getvalue()


def _clean_copy(image: Image.Image) -> Image.Image:
    """A brand-new image holding only the pixels: nothing from the original's info/metadata survives."""
    if image.mode not in {"RGB", "RGBA", "L", "LA"}:
        image = image.convert("RGBA" if "transparency" in image.info or image.mode in {"P", "PA"} else "RGB")
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    return clean


@contextlib.contextmanager
def _opened(uploaded_file):
    """Steps 1 to 4: the upload, size-capped, sniffed, opened with its pixels counted but not decoded.
    Yields the Pillow image and its sniffed format; raises ValidationError for anything else."""
    max_bytes = settings.PHOTO_MAX_BYTES
    data = _read_capped(uploaded_file, max_bytes)
    if not data:
        raise ValidationError(_("The photo file is empty."), code="photo_empty")
    sniffed = _sniff(data[:32])
    if sniffed is None:
        raise _not_an_image()
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=list(ALLOWED_FORMATS))
        except Image.DecompressionBombError as exc:
            raise _too_many_pixels() from exc
        except Image.DecompressionBombWarning as exc:
            raise _too_many_pixels() from exc
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
            raise _not_an_image() from exc
        try:
            fmt = (image.format or "").upper()
            if fmt not in ALLOWED_FORMATS or (fmt != sniffed and not {fmt, sniffed} <= {"HEIF", "HEIC"}):
                raise _not_an_image()
            width, height = image.size
            if width <= 0 or height <= 0:
                raise _not_an_image()
            if width * height > settings.PHOTO_MAX_PIXELS:
                raise _too_many_pixels()
            if getattr(image, "is_animated", False) or getattr(image, "n_frames", 1) > 1:
                raise ValidationError(
                    _("Animated or multi-frame images are not accepted. Please upload a single photo."),
                    code="photo_animated",
                )
            yield image, fmt
        except ValidationError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _too_many_pixels() from exc
        except (OSError, ValueError, SyntaxError, EOFError, MemoryError, struct.error) as exc:
            raise ValidationError(
                _("The photo could not be read. It may be damaged; please try another one."), code="photo_damaged"
            ) from exc
        finally:
            image.close()


def photo_gps(uploaded_file) -> tuple[float, float] | None:
    """The position saved in a photo, as a suggestion only, after the same checks as ``process_photo``
    (nothing is decoded or stored). Raises ValidationError for a file ``process_photo`` would refuse."""
    with _opened(uploaded_file) as (image, _fmt):
        return _read_gps(image)


def process_photo(uploaded_file) -> ProcessedPhoto:
    """Validate and re-encode one uploaded photo. Raises ValidationError; never returns original bytes."""
    with _opened(uploaded_file) as (image, fmt):
        gps = _read_gps(image)
        image.load()
        image = ImageOps.exif_transpose(image)
        if max(image.size) > MAX_EDGE:
            image.thumbnail((MAX_EDGE, MAX_EDGE), Image.Resampling.LANCZOS)
        image = _clean_copy(image)
        out_width, out_height = image.size
        extension = ALLOWED_FORMATS[fmt]
        if extension == "jpg" and image.mode in {"RGBA", "LA"}:
            image = image.convert("RGB")
        image_bytes = _encode(image, extension)
        thumb = image.copy()
        thumb.thumbnail((THUMBNAIL_EDGE, THUMBNAIL_EDGE), Image.Resampling.LANCZOS)
        thumbnail_bytes = _encode(thumb, extension)
    return ProcessedPhoto(
        image_bytes=image_bytes,
        thumbnail_bytes=thumbnail_bytes,
        extension=extension,
        width=out_width,
        height=out_height,
        gps=gps,
    )
