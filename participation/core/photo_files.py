"""Where processed photos live, for every app: through Django's storage API only (``default_storage``),
so a local folder and an S3-compatible bucket behave the same.

A photo anyone may see lives under ``public/<app>/`` (served directly: ``SERVE_MEDIA`` serves
``media/public/`` and a proxy does the same in production); one that is hidden, private or by a
blocked author lives under ``private/<app>/`` and is only handed out by a view that checks the
permission. Names are generated here; nothing of the uploaded file's name is kept.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from participation.core.photos import ProcessedPhoto

PUBLIC = "public"
PRIVATE = "private"


def _folder(app: str, *, public: bool) -> str:
    return f"{PUBLIC if public else PRIVATE}/{app}"


def is_public(name: str) -> bool:
    return name.startswith(PUBLIC + "/")


@contextmanager
def removed_on_failure() -> Iterator[list[str]]:
    """Collects the names written inside the block; if the block fails, the files go again, so a
    rolled-back write leaves no file behind."""
    written: list[str] = []
    try:
        yield written
    except BaseException:
        photo_files_delete(*written)
        raise


def photo_files_write(photo: ProcessedPhoto, *, app: str, public: bool) -> tuple[str, str]:
    """Store the image and its thumbnail; returns their storage names. Both or neither are kept."""
    folder = _folder(app, public=public)
    stem = secrets.token_urlsafe(18).replace("-", "x").replace("_", "y")
    with removed_on_failure() as written:
        for suffix, blob in (("", photo.image_bytes), ("_t", photo.thumbnail_bytes)):
            written.append(default_storage.save(f"{folder}/{stem}{suffix}.{photo.extension}", ContentFile(blob)))
    return written[0], written[1]


def photo_files_delete(*names: str) -> None:
    for name in names:
        if name:
            default_storage.delete(name)


def photo_file_place(name: str, *, app: str, public: bool) -> str:
    """The name of the file once it is where it belongs (public or private); copies it there if it is
    not, and removes the old copy when the surrounding transaction commits, so the stored name always
    points to a file whether the transaction commits or rolls back."""
    if not name or is_public(name) == public:
        return name
    target = f"{_folder(app, public=public)}/{name.rsplit('/', 1)[-1]}"
    if not default_storage.exists(name):
        return target if default_storage.exists(target) else name
    with default_storage.open(name, "rb") as source:
        new_name = default_storage.save(target, source)
    transaction.on_commit(lambda: default_storage.delete(name), robust=True)
    return new_name


def photo_file_open(name: str):
    return default_storage.open(name, "rb")


def photo_file_exists(name: str) -> bool:
    return bool(name) and default_storage.exists(name)


def photo_file_url(name: str) -> str:
    """The served URL of a public file (under MEDIA_URL)."""
    return default_storage.url(name)
