"""Fixed-window rate limits per user and per client IP, stored in the shared cache.

The client IP is read through ``TRUSTED_PROXY_COUNT`` only: with N trusted proxies the N-th
address from the right of X-Forwarded-For is the client; anything further left is
client-controlled and ignored, so a forged header cannot reset a limit.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _


class RateLimited(Exception):
    """Raised when an action exceeded its limit; rendered as a translated 429."""

    def __init__(self, action: str, retry_after: int):
        super().__init__(action)
        self.action = action
        self.retry_after = retry_after
        self.message = _("You are doing that too often. Please wait a little and try again.")


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < proxies:
        return remote
    return forwarded[-proxies]


def _parse(rule: str) -> tuple[int, int]:
    count, seconds = rule.split("/")
    return int(count), int(seconds)


def rate_limit_hit(action: str, *, request=None, user=None, client: str | None = None, rule: str | None = None) -> None:
    """Count one ``action`` for the user and the IP; raise ``RateLimited`` when over the limit.

    ``client`` names a machine client (an Open311 key) counted on its own instead of the user and the IP, under
    ``rule`` ("count/seconds") when given rather than ``RATE_LIMITS[action]``."""
    if not settings.RATE_LIMITS_ENABLED:
        return
    rule = rule or settings.RATE_LIMITS.get(action)
    if not rule:
        return
    limit, window = _parse(rule)
    now = int(time.time())
    bucket = now // window
    keys = []
    if client is not None:
        keys.append(f"rl:{action}:c:{client}:{bucket}")
    else:
        if user is not None and getattr(user, "is_authenticated", False):
            keys.append(f"rl:{action}:u:{user.pk}:{bucket}")
        if request is not None:
            keys.append(f"rl:{action}:ip:{client_ip(request)}:{bucket}")
    for key in keys:
        cache.add(key, 0, timeout=window + 5)
        try:
            count = cache.incr(key)
        except ValueError:  # evicted between add and incr
            cache.set(key, 1, timeout=window + 5)
            count = 1
        if count > limit:
            raise RateLimited(action, retry_after=window - (now % window))


def rate_limited_response(request, exception: RateLimited):
    """The 429 answer: JSON for machine interfaces, the HTML page otherwise; always with Retry-After."""
    from django.http import JsonResponse
    from django.shortcuts import render

    if request.path.startswith(("/api/", "/open311/")) or "application/json" in request.headers.get("Accept", ""):
        response = JsonResponse({"detail": str(exception.message), "code": "rate_limited"}, status=429)
    else:
        response = render(request, "429.html", {"retry_after": exception.retry_after}, status=429)
    response["Retry-After"] = str(exception.retry_after)
    return response
