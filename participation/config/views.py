"""Project-wide views: health checks, the language switch, error pages."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django.views.static import serve

from participation.core.http import safe_next


def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def public_media(request: HttpRequest, path: str) -> HttpResponse:
    """Files under MEDIA_ROOT/public/ (photos anyone may see), when the server hands out media itself
    (``SERVE_MEDIA``); MEDIA_ROOT is read per request. Everything else under MEDIA_ROOT is never served."""
    return serve(request, path, document_root=settings.MEDIA_ROOT)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch language and stay on the same page: ``/x/`` (Japanese) <-> ``/en/x/`` (English)."""
    language = request.POST.get("language", "")
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
    if request.user.is_authenticated and request.user.preferred_language != language:
        request.user.preferred_language = language
        request.user.save(update_fields=["preferred_language"])
    return response


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)
