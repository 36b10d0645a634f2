"""Overload is answered, not suffered: bounded work per process and a quick 503 with Retry-After.

Two layers (issue 17):

- ``AdmissionLimit`` wraps the ASGI HTTP application. Django runs each request's sync code in a thread
  of its own (one per request in flight, whatever ``ASGI_THREADS`` says: that variable only sizes the
  default executor). At most ``ASGI_THREADS`` requests per process enter Django at once; the others
  wait in the event loop (cheap) for at most ``REQUEST_QUEUE_TIMEOUT`` seconds and are then answered
  503. ``/healthz`` (liveness) and static files are never queued; ``/readyz`` waits one second at most.
- ``OverloadMiddleware`` and the 500 handler turn "no database connection to be had" (the pool's
  timeout, PostgreSQL refusing a connection) into the same 503 instead of a 500.

The 503 is a page in the visitor's language, or JSON for ``/api/`` and ``/open311/`` (Open311's error
list there, XML for ``.xml``). Nothing here touches the database, so it can answer when that is the
resource that ran out.
"""

from __future__ import annotations

import asyncio
import io
import logging
import time

from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.db import OperationalError as DjangoOperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from participation.core import pagecache

logger = logging.getLogger(__name__)

# PostgreSQL messages meaning "no connection for you right now" rather than a broken query.
_REFUSED = ("too many clients", "remaining connection slots", "connection refused", "could not connect",
            "the database system is starting up", "couldn't get a connection")


def is_overload_error(exc: BaseException | None) -> bool:
    """True for failures to obtain a database connection (pool timeout, server refusing), not query errors."""
    seen = 0
    while exc is not None and seen < 5:
        name = type(exc).__name__
        module = type(exc).__module__
        if module.startswith("psycopg_pool") and name in {"PoolTimeout", "TooManyRequests"}:
            return True
        if isinstance(exc, DjangoOperationalError) or name == "OperationalError":
            text = str(exc).lower()
            if any(marker in text for marker in _REFUSED):
                return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def _api_kind(path: str) -> str | None:
    if path.startswith("/open311/"):
        return "open311-xml" if path.endswith(".xml") else "open311"
    if path.startswith("/api/"):
        return "api"
    return None


def overload_response(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After, in the visitor's language (path prefix, language cookie, Accept-Language)."""
    retry_after = settings.RETRY_AFTER_SECONDS
    language = translation.get_language_from_request(request, check_path=True)
    with translation.override(language):
        message = _("The site is very busy right now. Please try again in a few seconds.")
        kind = _api_kind(request.path)
        if kind == "api":
            response = JsonResponse(
                {"detail": message, "code": "overloaded", "retry_after": retry_after}, status=503,
                json_dumps_params={"ensure_ascii": False},
            )
        elif kind == "open311":
            response = JsonResponse([{"code": 503, "description": message}], safe=False, status=503,
                                    json_dumps_params={"ensure_ascii": False})
        elif kind == "open311-xml":
            from xml.sax.saxutils import escape

            body = (f'<?xml version="1.0" encoding="utf-8"?><errors><error><code>503</code>'
                    f"<description>{escape(message)}</description></error></errors>")
            response = HttpResponse(body, content_type="text/xml; charset=utf-8", status=503)
        else:
            html = render_to_string("503.html", {"retry_after": retry_after, "language": language})
            response = HttpResponse(html, status=503)
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    response["Content-Language"] = language
    return response


class OverloadMiddleware:
    """Answers 503 + Retry-After when a view could not get a database connection (pool timeout)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_overload_error(exception):
            logger.warning("no database connection within the pool timeout: 503 for %s", request.path)
            return overload_response(request)
        return None


class AdmissionLimit:
    """ASGI wrapper: at most ``limit`` HTTP requests of this process inside Django at once (see module doc)."""

    never_queued = ("/healthz",)
    quick = {"/readyz": 1.0}

    def __init__(self, app, *, limit: int, timeout: float, max_waiting: int):
        self.app = app
        self.limit = max(1, limit)
        self.timeout = timeout
        self.max_waiting = max_waiting
        self.static_prefix = settings.STATIC_URL or "/static/"
        self._semaphore: asyncio.Semaphore | None = None
        self.waiting = 0
        self.running = 0
        self.refused = 0

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "")
        if scope["type"] != "http" or path in self.never_queued or path.startswith(self.static_prefix):
            return await self.app(scope, receive, send)
        # A shared anonymous page still current in the cache is answered without taking a slot, so readers
        # of a popular consultation do not queue behind the requests that need the database.
        entry = await pagecache.alookup(scope)
        if entry is not None:
            return await self._send(pagecache.response_from(entry, head=scope.get("method") == "HEAD"), send)
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self.limit)  # created in the server's event loop
        if self.waiting >= self.max_waiting:
            return await self._refuse(scope, receive, send)
        self.waiting += 1
        started = time.monotonic()
        try:
            await asyncio.wait_for(self._semaphore.acquire(), self.quick.get(path, self.timeout))
        except TimeoutError:
            return await self._refuse(scope, receive, send)
        finally:
            self.waiting -= 1
        self.running += 1
        try:
            waited = time.monotonic() - started
            if waited > 1:
                logger.debug("request waited %.1f s for a thread: %s", waited, path)
            return await self.app(scope, receive, send)
        finally:
            self.running -= 1
            self._semaphore.release()

    async def _refuse(self, scope, receive, send):
        self.refused += 1
        request = ASGIRequest(scope, io.BytesIO())
        return await self._send(overload_response(request), send)

    @staticmethod
    async def _send(response, send):
        await send({
            "type": "http.response.start",
            "status": response.status_code,
            "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in response.items()],
        })
        await send({"type": "http.response.body", "body": response.content})
