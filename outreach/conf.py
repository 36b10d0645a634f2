"""Settings of the outreach app, read from Django settings when set there, else from the environment.

VAPID_PRIVATE_KEY / VAPID_PUBLIC_KEY  web push keys (``manage.py outreach_vapid_keys`` makes a pair)
VAPID_SUBJECT                         mailto: or https: contact the push services may use
LINE_CHANNEL_ACCESS_TOKEN             Messaging API token of the city's LINE official account
LINE_MESSAGING_CHANNEL_SECRET         secret of that Messaging API channel (checks the webhook's X-Line-Signature)
LINE_API_BASE                         https://api.line.me (a local fake in tests)
OUTREACH_PUSH_TEST_HOSTS              host:port list allowed over http on local addresses (tests, bench only)
OUTREACH_TICK_SECONDS                 how often the worker's schedule runs (digests, due announcements)
OUTREACH_BATCH_SIZE                   recipients per delivery task
"""

from __future__ import annotations

import os

from django.conf import settings


def _get(name: str, env: str | None = None, default=""):
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(env or name, default)
    return value


def vapid_private_key() -> str:
    return _get("OUTREACH_VAPID_PRIVATE_KEY", "VAPID_PRIVATE_KEY")


def vapid_public_key() -> str:
    return _get("OUTREACH_VAPID_PUBLIC_KEY", "VAPID_PUBLIC_KEY")


def vapid_subject() -> str:
    return _get("OUTREACH_VAPID_SUBJECT", "VAPID_SUBJECT") or f"mailto:{settings.DEFAULT_FROM_EMAIL}"


def line_access_token() -> str:
    return _get("OUTREACH_LINE_ACCESS_TOKEN", "LINE_CHANNEL_ACCESS_TOKEN")


def line_channel_secret() -> str:
    """Channel secret of the Messaging API channel (signs the webhook's requests)."""
    return _get("OUTREACH_LINE_CHANNEL_SECRET", "LINE_MESSAGING_CHANNEL_SECRET")


def line_api_base() -> str:
    return (_get("OUTREACH_LINE_API_BASE", "LINE_API_BASE") or "https://api.line.me").rstrip("/")


def push_test_hosts() -> set[str]:
    value = _get("OUTREACH_PUSH_TEST_HOSTS", default="")
    items = value.split(",") if isinstance(value, str) else value
    return {h.strip().lower() for h in items if h and h.strip()}


def tick_seconds() -> int:
    return int(_get("OUTREACH_TICK_SECONDS", default="60") or 60)


def batch_size() -> int:
    return int(_get("OUTREACH_BATCH_SIZE", default="500") or 500)
