from __future__ import annotations

import pytest

from tests.outreach.fakes import Browser, FakeLine, FakePushService


@pytest.fixture
def vapid(settings):
    from outreach.push import vapid_generate

    private, public = vapid_generate()
    settings.OUTREACH_VAPID_PRIVATE_KEY = private
    settings.OUTREACH_VAPID_PUBLIC_KEY = public
    settings.OUTREACH_VAPID_SUBJECT = "mailto:test@example.jp"
    return public


@pytest.fixture
def push_service(settings, vapid):
    service = FakePushService()
    settings.OUTREACH_PUSH_TEST_HOSTS = [service.host]
    yield service
    service.close()


@pytest.fixture
def fake_line(settings):
    server = FakeLine()
    settings.OUTREACH_LINE_API_BASE = server.base
    settings.OUTREACH_LINE_ACCESS_TOKEN = FakeLine.TOKEN
    yield server
    server.close()


@pytest.fixture
def browser_keys():
    return Browser()


@pytest.fixture
def districts(db):
    from outreach.demo import DISTRICTS
    from outreach.models import District

    return {ja: District.objects.get_or_create(name_ja=ja, defaults={"name_en": en, "boundary": boundary})[0]
            for ja, en, boundary in DISTRICTS}


@pytest.fixture
def topics(db):
    from outreach.demo import TOPICS
    from outreach.models import Topic

    return {slug: Topic.objects.get_or_create(slug=slug, defaults={"name_ja": ja, "name_en": en})[0]
            for slug, ja, en in TOPICS}


def subscribe_browser(user, service, browser, name=None):
    from outreach.models import PushSubscription

    return PushSubscription.objects.create(user=user, endpoint=service.endpoint(name or user.username),
                                           p256dh=browser.p256dh, auth=browser.auth_b64)


def link_line(user, uid=None):
    from allauth.socialaccount.models import SocialAccount

    return SocialAccount.objects.create(user=user, provider="line", uid=uid or f"U{user.pk:032x}")
