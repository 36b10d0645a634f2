"""Version stamps for short-lived caches of things every page reads (issue 17, "cheaper pages").

A cached read is keyed by the stamps of the scopes it depends on; a write bumps those scopes after its
transaction commits, so the next read misses and reads the database again. Nothing stale is shown: a
reader takes the stamp before it reads the data, and a bump made after the commit gives every later
reader a new key. Entries also expire after a short time, a safety net for writes nobody announced.

Scopes: ``SITE`` (anything that can change every page: page publishing, view restrictions, phases,
blocking a user, a published analysis), ``consultation(id)`` (its proposals, comments, supports,
moderation, results), ``user(id)`` (their roles, follows, notifications) and ``NOTIFICATIONS``
(notifications written in bulk to many users at once).

Every event published through ``participation.core.events`` bumps the consultation it names, or the
whole site when it names none (but for a few events known not to change any page). When the cache is
down, reads go to the database every time.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

SITE = "site"
NOTIFICATIONS = "notifications"
ROLES = "roles"  # every user's roles: a group renamed or deleted
DEFAULT_TIMEOUT = 60  # seconds a cached value may live at most, even when nothing bumps it
_PREFIX = "fresh:v:"
_MISSING = object()

# Events that change nothing a cached page shows (reports have pages of their own, not cached here).
QUIET_EVENTS = frozenset({
    "moderation.flagged", "participation.notification_sent", "surveys.response_submitted",
    "reports_map.report_created", "reports_map.report_updated", "reports_map.report_followed",
})


def enabled() -> bool:
    """Off where writers do not share this cache (settings.FRESHNESS_CACHE)."""
    return bool(getattr(settings, "FRESHNESS_CACHE", False))


def consultation(consultation_id: Any) -> str:
    return f"consultation:{consultation_id}"


def user(user_id: Any) -> str:
    return f"user:{user_id}"


def stamp(*scopes: str) -> str:
    """The current stamp of these scopes together (one cache round trip); a scope never stamped gets one."""
    keys = [_PREFIX + scope for scope in scopes]
    found = cache.get_many(keys)
    missing = {key: secrets.token_hex(6) for key in keys if key not in found}
    if missing:
        for key, token in missing.items():
            cache.add(key, token, None)  # another process may have stamped it meanwhile: theirs wins
        found.update(cache.get_many(list(missing)))
    return ".".join(str(found.get(key, "0")) for key in keys)


def _bump_now(scopes: Iterable[str]) -> None:
    try:
        cache.set_many({_PREFIX + scope: secrets.token_hex(6) for scope in scopes}, None)
    except Exception:  # a cache that is down holds nothing to invalidate
        logger.warning("could not bump cache stamps %s", list(scopes), exc_info=True)


def bump(*scopes: str) -> None:
    """Give these scopes new stamps now and again once the current transaction commits.

    Now: the writer's own next reads (inside its transaction, or a test's) miss. After the commit: a reader
    that cached the old committed data meanwhile, under the stamp of now, misses too."""
    scopes = tuple(dict.fromkeys(scopes))
    if scopes and enabled():
        _bump_now(scopes)
        if transaction.get_connection().in_atomic_block:
            transaction.on_commit(lambda: _bump_now(scopes), robust=True)


def bump_site_receiver(sender=None, **kwargs) -> None:
    """A signal receiver that bumps the site's stamp (writes that publish no event: admin edits, page moves)."""
    bump(SITE)


def bump_site_on_writes(*models) -> None:
    """Every save or delete of these models bumps the site's stamp (each app's registration.py lists its own)."""
    from django.db.models.signals import post_delete, post_save

    for model in models:
        post_save.connect(bump_site_receiver, sender=model, dispatch_uid=f"freshness-save-{model._meta.label}")
        post_delete.connect(bump_site_receiver, sender=model, dispatch_uid=f"freshness-delete-{model._meta.label}")


def cached(name: str, scopes: Iterable[str], compute: Callable[[], Any], timeout: int = DEFAULT_TIMEOUT) -> Any:
    """``compute()``, kept under ``name`` and the stamps of ``scopes`` for at most ``timeout`` seconds."""
    if not enabled():
        return compute()
    try:
        key = f"fresh:{name}:{stamp(*scopes)}"
        value = cache.get(key, _MISSING)
    except Exception:
        logger.warning("cache unavailable for %s", name, exc_info=True)
        return compute()
    if value is _MISSING:
        value = compute()
        try:
            cache.set(key, value, timeout)
        except Exception:
            logger.warning("could not cache %s", name, exc_info=True)
    return value


def on_publish(name: str, payload: dict[str, Any]) -> None:
    """Called by ``events.publish`` for every event, when it is published (``bump`` bumps again after commit)."""
    if name in QUIET_EVENTS:
        return
    consultation_id = payload.get("consultation_id")
    if name.startswith("accountability."):  # a result's progress rolls up into parents in other consultations
        consultation_id = None
    bump(consultation(consultation_id) if consultation_id else SITE)
