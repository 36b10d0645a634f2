"""Project-wide views: health checks, the language switch, error pages."""

from __future__ import annotations

import logging
import posixpath
import sys
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from django.views.static import serve

from participation.config.overload import is_overload_error, overload_response
from participation.core.http import safe_next

PUBLIC_MEDIA_FOLDERS = ("public/", "images/")  # under MEDIA_ROOT: photos anyone may see, Wagtail's renditions

logger = logging.getLogger(__name__)


def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers. Touches neither the database nor Redis, so an overloaded or
    disconnected database never gets a healthy process restarted (that is /readyz's business)."""
    return JsonResponse({"status": "ok"})


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_cache() -> None:
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", 10)
    if cache.get(key) != "1":
        raise RuntimeError("cache did not return what was stored")
    cache.delete(key)


def _check_channel_layer() -> None:
    layer = settings.CHANNEL_LAYERS.get("default", {})
    if "channels_redis" not in layer.get("BACKEND", ""):
        return
    import redis

    for host in layer.get("CONFIG", {}).get("hosts", []):
        address = host["address"] if isinstance(host, dict) else host
        client = redis.Redis.from_url(address, socket_connect_timeout=1, socket_timeout=1)
        try:
            client.ping()
        finally:
            client.close()


def readyz(request: HttpRequest) -> HttpResponse:
    """Readiness: the database, the cache and the channel layer's Redis answer; 503 + Retry-After otherwise."""
    checks = {}
    for name, check in (("database", _check_database), ("cache", _check_cache), ("channel_layer", _check_channel_layer)):
        try:
            check()
            checks[name] = "ok"
        except Exception as exc:  # any failure means "not ready"; the reason goes to the log, not the answer
            logger.warning("readyz: %s not reachable: %r", name, exc)
            checks[name] = "unavailable"
    ready = all(value == "ok" for value in checks.values())
    response = JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503)
    response["Cache-Control"] = "no-store"
    if not ready:
        response["Retry-After"] = str(settings.RETRY_AFTER_SECONDS)
    return response


def public_media(request: HttpRequest, path: str) -> HttpResponse:
    """Files under MEDIA_ROOT/public/ (photos anyone may see) and MEDIA_ROOT/images/ (Wagtail's renditions: the
    consultation cards' pictures), when the server hands out media itself (``SERVE_MEDIA``); MEDIA_ROOT is read
    per request. Everything else under MEDIA_ROOT (private photos, Wagtail's original images) is never served:
    the path is checked after ``..`` and ``.`` are resolved, so ``public/../private/x`` is refused."""
    normalised = posixpath.normpath(path).lstrip("/")
    if not normalised.startswith(PUBLIC_MEDIA_FOLDERS) or "\\" in path:
        raise Http404
    return serve(request, normalised, document_root=settings.MEDIA_ROOT)


@require_http_methods(["GET", "POST"])
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch language and stay on the same page: ``/x/`` (Japanese) <-> ``/en/x/`` (English).

    Anonymous pages link here (GET: the cookie only, so a shared page needs no CSRF token); signed-in
    visitors post the form, which also stores their preferred language."""
    data = request.POST if request.method == "POST" else request.GET
    language = data.get("language", "")
    supported = {code for code, _ in settings.LANGUAGES}
    if language not in supported:
        return redirect("/")
    target = safe_next(request, "/")
    path = target
    for code in supported - {settings.LANGUAGE_CODE}:
        if path == f"/{code}" or path.startswith(f"/{code}/"):
            path = path[len(code) + 1 :] or "/"
    if language != settings.LANGUAGE_CODE:
        path = f"/{language}{path}"
    response = redirect(path)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE,
        secure=settings.LANGUAGE_COOKIE_SECURE, samesite=settings.LANGUAGE_COOKIE_SAMESITE, httponly=True,
    )
    if request.method == "POST" and request.user.is_authenticated and request.user.preferred_language != language:
        request.user.preferred_language = language
        request.user.save(update_fields=["preferred_language"])
    return response


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this inside its exception handler: a database connection that could not be had
    # (pool timeout, also when raised in a middleware) is overload, answered 503 + Retry-After.
    if is_overload_error(sys.exc_info()[1]):
        return overload_response(request)
    return render(request, "500.html", status=500)
