"""Only the public folders of MEDIA_ROOT are served: a path that climbs out of them with ``..`` is refused."""

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", [
    "/media/public/../private/secret.jpg",
    "/media/images/../private/secret.jpg",
    "/media/public/./../original_images/secret.jpg",
    "/media/images/..%2Fprivate/secret.jpg",
    "/media/public/..\\private\\secret.jpg",
])
def test_climbing_out_of_the_public_folders_is_refused(path):
    root = settings.MEDIA_ROOT
    for folder in ("private", "original_images", "public"):
        (root / folder).mkdir(parents=True, exist_ok=True)
        (root / folder / "secret.jpg").write_bytes(b"not for the public")
    assert Client().get(path).status_code == 404


def test_a_public_file_is_still_served():
    (settings.MEDIA_ROOT / "public").mkdir(parents=True, exist_ok=True)
    (settings.MEDIA_ROOT / "public" / "photo.jpg").write_bytes(b"shown to all")
    response = Client().get("/media/public/photo.jpg")
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"shown to all"
