"""The JSON API at /api/v1/ (django-ninja). Feature apps contribute routers through the registry.

Errors are JSON ``{"detail": "...", "code": "..."}`` with 400/401/403/404/409/429.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import django_auth

from participation.core.errors import Conflict
from participation.core.ratelimit import RateLimited
from participation.core.registry import registry


def validation_messages(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


def build_api() -> NinjaAPI:
    api = NinjaAPI(
        title="Civic participation API",
        version="1.0.0",
        description="Consultations, proposals, comments, supports and flags. Session authentication; "
        "writes need the X-CSRFToken header.",
        urls_namespace="api",
    )

    def error(request, status: int, detail: str, code: str, **extra):
        return api.create_response(request, {"detail": detail, "code": code, **extra}, status=status)

    @api.exception_handler(ValidationError)
    def on_validation(request, exc):
        return error(request, 400, validation_messages(exc), "invalid")

    @api.exception_handler(NinjaValidationError)
    def on_schema(request, exc):
        return error(request, 400, _("The request is not valid."), "invalid", errors=exc.errors)

    @api.exception_handler(AuthenticationError)
    def on_auth(request, exc):
        return error(request, 401, _("Please sign in."), "not_authenticated")

    @api.exception_handler(PermissionDenied)
    def on_denied(request, exc):
        return error(request, 403, str(exc) or _("You are not allowed to do that."), "permission_denied")

    @api.exception_handler(Http404)
    def on_missing(request, exc):
        return error(request, 404, _("Not found."), "not_found")

    @api.exception_handler(Conflict)
    def on_conflict(request, exc):
        return error(request, 409, exc.message, exc.code)

    @api.exception_handler(RateLimited)
    def on_rate(request, exc):
        response = error(request, 429, str(exc.message), "rate_limited")
        response["Retry-After"] = str(exc.retry_after)
        return response

    @api.exception_handler(HttpError)
    def on_http(request, exc):
        return error(request, exc.status_code, str(exc.message), "error")

    for prefix, router in registry.api_routers:
        api.add_router(prefix, router)
    return api


session_auth = django_auth
