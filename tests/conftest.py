"""Shared fixtures. Services (PostgreSQL, Redis, Chromium) are used when present and skipped with a reason otherwise."""

from __future__ import annotations

import io
import os
import shutil

import pytest
from django.conf import settings
from django.contrib.auth.models import Group

from participation.predicates import COUNCIL, MODERATOR, RESIDENT, STAFF

CHROMIUM = "/usr/bin/chromium"
HAS_POSTGRES = settings.USING_POSTGRES
HAS_REDIS = bool(settings.REDIS_URL)
HAS_CHROMIUM = os.path.exists(CHROMIUM)

requires_postgres = pytest.mark.skipif(not HAS_POSTGRES, reason="needs DATABASE_URL=postgres://... (run by .ci/run)")
requires_redis = pytest.mark.skipif(not HAS_REDIS, reason="needs REDIS_URL=redis://... (run by .ci/run)")
requires_chromium = pytest.mark.skipif(not HAS_CHROMIUM, reason=f"needs Chromium at {CHROMIUM} (apt-get install chromium)")


@pytest.fixture(autouse=True)
def _isolated_media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.RATE_LIMITS_ENABLED = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    yield


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield


def make_user(username: str, *roles: str, **extra):
    from allauth.account.models import EmailAddress

    from participation.models import User

    user = User.objects.create_user(
        username=username, email=f"{username}@example.jp", password="correct-horse-battery",
        display_name=extra.pop("display_name", username), **extra,
    )
    for role in roles or (RESIDENT,):
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def user_factory(db):
    return make_user


@pytest.fixture
def resident(db):
    return make_user("alice", RESIDENT)


@pytest.fixture
def other_resident(db):
    return make_user("bob", RESIDENT)


@pytest.fixture
def moderator(db):
    return make_user("mod", RESIDENT, MODERATOR)


@pytest.fixture
def staff_user(db):
    return make_user("clerk", RESIDENT, STAFF, is_staff=True)


@pytest.fixture
def council_member(db):
    return make_user("councillor", RESIDENT, COUNCIL)


@pytest.fixture
def demo_pages(db):
    """The demo page tree: home, index, three consultations (proposals / support / closed phase), English copies."""
    from cms.demo import demo_consultations, seed_pages

    seed_pages(stdout=io.StringIO())
    return demo_consultations()


@pytest.fixture
def open_consultation(demo_pages):
    """A consultation in its proposals phase (create, comment, support open)."""
    return demo_pages[0]


@pytest.fixture
def support_consultation(demo_pages):
    """A consultation in its support phase (support and comment open, no new proposals)."""
    return demo_pages[1]


@pytest.fixture
def closed_consultation(demo_pages):
    return demo_pages[2]


def chromium_args() -> list[str]:
    return ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="session")
def browser():
    if not HAS_CHROMIUM or shutil.which(CHROMIUM) is None:
        pytest.skip(f"needs Chromium at {CHROMIUM} (apt-get install chromium)")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=chromium_args())
        yield instance
        instance.close()


@pytest.fixture
def artifacts_dir():
    path = settings.BASE_DIR / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path
