"""Whole anonymous answers from the cache (issue 17): a consultation page, a proposal page or the proposal list
API read by hundreds of visitors at once is rendered once per change, not once per visitor.

A page view that may be shared says so with ``mark(request, scopes=..., timeout=...)``: the scopes are the
version stamps (participation/core/freshness.py) of everything the page shows. ``PageCacheMiddleware``
(first in ``MIDDLEWARE``, so the stored answer carries every header) stores the answer when it was made
for an anonymous visitor and is the same for every such visitor: status 200, no cookie set, no CSRF token
used, no message shown. The key is the scheme and host, the path, the query string (known parameters
only) and the language of the answer (a page's path prefix; for the JSON API ``?lang=``, the language
cookie or Accept-Language, as ``ApiLanguageMiddleware`` chooses it); the entry holds the stamps it was
rendered under and is served only while they are still current, so a support, a new proposal, a hidden
proposal, a withdrawal, a phase edit or a published page changes it at once.

Who is served from the cache: a GET or HEAD without a session cookie, without a messages cookie and
without credentials in a header (Authorization, an API key): a signed-in visitor always has a session
cookie, so never gets a shared answer, and an answer made for one never becomes the shared one.
``AdmissionLimit`` (participation/config/overload.py) asks ``alookup`` before a request takes one of the
process's slots, so anonymous readers of a cached page are answered even while every slot is busy.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers

from participation.core import freshness
from participation.core.i18n import machine_language

logger = logging.getLogger(__name__)

_KEY = "pagecache:"
_MARK = "_page_cache"
_EARLY = "_page_cache_early"
# Query parameters a shared page may have (the proposal list's filters); a free-text search is not shared.
SHARED_PARAMETERS = frozenset({"sort", "category", "state", "page"})
# The JSON API (proposal lists, a proposal, its comments) also takes its language from ``?lang=``.
SHARED_API_PARAMETERS = SHARED_PARAMETERS | {"lang"}
SHARED_API_PREFIXES = ("/api/",)
NEVER_SHARED = ("/admin/", "/ws/", "/static/", "/media/", "/open311/", "/open-data/", "/django-admin/")
# A request carrying credentials is answered for its own client, never from (nor into) the shared cache.
CREDENTIAL_HEADERS = ("HTTP_AUTHORIZATION", "HTTP_X_API_KEY", "HTTP_API_KEY", "HTTP_X_CSRFTOKEN")
ANONYMOUS_CACHE_CONTROL = "public, max-age=0, must-revalidate"
PRIVATE_CACHE_CONTROL = "private, no-cache"
VARY_API = ("Cookie", "Accept-Language", "Authorization")


def enabled() -> bool:
    return freshness.enabled() and getattr(settings, "PAGE_CACHE_SECONDS", 0) > 0


def mark(request, *, scopes: list[str], timeout: int | None = None) -> None:
    """This page's answer may be shared by anonymous visitors while ``scopes`` keep their stamps (and for
    ``timeout`` seconds at most: a page that changes with time, at a phase's start, says when)."""
    limit = getattr(settings, "PAGE_CACHE_SECONDS", 0)
    marked = {"scopes": list(scopes), "timeout": max(0, min(limit, timeout if timeout is not None else limit))}
    early = getattr(request, _EARLY, None)
    if early is not None and marked["timeout"] > 0:
        # The stamps before this page reads what it shows (the site's before routing read the page itself):
        # a write committed meanwhile has bumped one of them, and the stored page is never served.
        try:
            later = [scope for scope in scopes if scope not in early]
            tokens = dict(zip(later, freshness.stamp(*later).split("."), strict=True)) if later else {}
            marked["stamp"] = ".".join(early.get(scope) or tokens[scope] for scope in scopes)
        except Exception:
            logger.warning("page cache unavailable", exc_info=True)
    setattr(request, _MARK, marked)


def wanted(request) -> bool:
    """Whether a marked answer to this request would be stored (an anonymous GET of a shareable address):
    a view may skip the work of marking otherwise."""
    return getattr(request, _EARLY, None) is not None


def expire_within(request, seconds: int) -> None:
    """The marked answer changes by the clock alone within ``seconds`` (a phase starts or ends): keep it no longer."""
    marked = getattr(request, _MARK, None)
    if marked is not None:
        marked["timeout"] = max(0, min(marked["timeout"], int(seconds)))


def _cookie_names() -> tuple[str, ...]:
    return (settings.SESSION_COOKIE_NAME, getattr(settings, "MESSAGE_COOKIE_NAME", "messages"))


def _language(request, path: str) -> str:
    """The language the answer will be in, as the middleware will choose it (nothing else may differ)."""
    from django.utils import translation

    if path.startswith(SHARED_API_PREFIXES):
        return machine_language(request)  # as participation.accounts.middleware.ApiLanguageMiddleware chooses it
    return translation.get_language_from_path(path) or settings.LANGUAGE_CODE  # LocaleMiddleware, no prefix: ja


def request_key(request) -> str | None:
    """The cache key of this request's shared answer, or None when it may not get (nor make) one: not a GET or
    HEAD, a session or messages cookie, credentials in a header, an address never shared, an unknown or repeated
    parameter (a search), a host Django would refuse. The key holds the scheme and host (the API's links are
    absolute), the path, the sorted parameters and the language of the answer."""
    from urllib.parse import parse_qsl

    if request.method not in ("GET", "HEAD") or not enabled():
        return None
    if any(request.COOKIES.get(name) for name in _cookie_names()):
        return None
    if any(request.META.get(header) for header in CREDENTIAL_HEADERS):
        return None
    path = request.path
    if path.startswith(NEVER_SHARED):
        return None
    query = request.META.get("QUERY_STRING", "")
    pairs = parse_qsl(query, keep_blank_values=True)
    names = [name for name, _value in pairs]
    allowed = SHARED_API_PARAMETERS if path.startswith(SHARED_API_PREFIXES) else SHARED_PARAMETERS
    if len(names) != len(set(names)) or not set(names) <= allowed or len(query) > 200:
        return None
    try:
        origin = f"{request.scheme}://{request.get_host()}"
    except Exception:  # DisallowedHost: Django answers it
        return None
    parameters = "&".join(f"{name}={value}" for name, value in sorted(pairs))
    return f"{_KEY}{origin}{path}?{parameters}|{_language(request, path)}"


# The scopes of the entries this process has seen, by key: a hit is then one cache round trip (the entry and its
# stamps read together) instead of two. Bounded; a stale memo only costs the second round trip.
_SCOPES: dict[str, tuple[str, ...]] = {}
_SCOPES_MAX = 10_000


def _remember(key: str, scopes) -> None:
    if len(_SCOPES) >= _SCOPES_MAX:
        _SCOPES.clear()
    _SCOPES[key] = tuple(scopes)


def lookup(key: str) -> dict[str, Any] | None:
    """The stored answer under ``key`` if its stamps are still current."""
    try:
        scopes = _SCOPES.get(key)
        if scopes is not None:
            stamp_keys = [freshness._PREFIX + scope for scope in scopes]  # freshness.stamp's keys, read at once
            found = cache.get_many([key, *stamp_keys])
            entry = found.get(key)
            if not entry:
                return None
            if tuple(entry["scopes"]) == scopes and all(k in found for k in stamp_keys):
                current = ".".join(str(found[k]) for k in stamp_keys)
                return entry if current == entry["stamp"] else None
        else:
            entry = cache.get(key)
            if not entry:
                return None
        _remember(key, entry["scopes"])
        if freshness.stamp(*entry["scopes"]) != entry["stamp"]:
            return None
    except Exception:
        logger.warning("page cache unavailable", exc_info=True)
        return None
    return entry


async def alookup(scope) -> dict[str, Any] | None:
    """``lookup`` for an ASGI HTTP scope (before Django sees the request, read as Django will read it)."""
    import io

    from asgiref.sync import sync_to_async
    from django.core.handlers.asgi import ASGIRequest

    if not enabled() or scope.get("method") not in ("GET", "HEAD"):
        return None
    try:
        key = request_key(ASGIRequest(scope, io.BytesIO()))
    except Exception:  # a malformed request: Django answers it
        return None
    if key is None:
        return None
    return await sync_to_async(lookup, thread_sensitive=False)(key)


def response_from(entry: dict[str, Any], *, head: bool = False) -> HttpResponse:
    response = HttpResponse(b"" if head else entry["content"], status=entry["status"])
    for name, value in entry["headers"]:
        response[name] = value
    response["X-Page-Cache"] = "hit"
    return response


def _shareable(request, response) -> bool:
    user = getattr(request, "user", None)
    if user is None or user.is_authenticated or response.status_code != 200 or response.streaming:
        return False
    if any(request.META.get(header) for header in CREDENTIAL_HEADERS):
        return False
    if response.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False  # a cookie or a CSRF token in the page is this visitor's own
    messages = getattr(request, "_messages", None)
    return not (messages is not None and len(messages))


class PageCacheMiddleware:
    """Answers eligible requests from the cache; stores marked anonymous answers; sets Cache-Control and Vary
    on marked pages (shared: public but revalidated; signed in: private)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request_key(request)
        if key is not None:
            entry = lookup(key)
            if entry is not None:
                return response_from(entry, head=request.method == "HEAD")
            try:
                setattr(request, _EARLY, {freshness.SITE: freshness.stamp(freshness.SITE)})
            except Exception:
                logger.warning("page cache unavailable", exc_info=True)
        response = self.get_response(request)
        marked = getattr(request, _MARK, None)
        if marked is None:
            return response
        patch_vary_headers(response, VARY_API if request.path.startswith(SHARED_API_PREFIXES) else ("Cookie",))
        if not _shareable(request, response):
            response["Cache-Control"] = PRIVATE_CACHE_CONTROL
            return response
        response["Cache-Control"] = ANONYMOUS_CACHE_CONTROL
        if key is not None and marked.get("stamp") and marked["timeout"] > 0:
            self._store(key, marked, response)
        response["X-Page-Cache"] = "miss"
        return response

    @staticmethod
    def _store(key, marked, response) -> None:
        try:
            entry = {
                "scopes": marked["scopes"], "stamp": marked["stamp"], "status": response.status_code,
                "headers": [(name, value) for name, value in response.items() if name.lower() != "x-page-cache"],
                "content": response.content,
            }
            cache.set(key, entry, marked["timeout"])
            _remember(key, entry["scopes"])
        except Exception:
            logger.warning("could not store page %s", key, exc_info=True)
