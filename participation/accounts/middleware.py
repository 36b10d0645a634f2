"""Kernel middleware: refuse blocked accounts, expire idle staff sessions, render rate limits."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from participation.core.i18n import MACHINE_PREFIXES, machine_language
from participation.core.ratelimit import RateLimited, rate_limited_response


class BlockedUserMiddleware:
    """A blocked account is signed out on its next request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.blocked_at is not None:
            logout(request)
            messages.error(request, _("Your account has been blocked by a moderator."))
            return redirect("account_login")
        return self.get_response(request)


class StaffSessionTimeoutMiddleware:
    """Sessions of staff, moderators and council end after STAFF_SESSION_IDLE_SECONDS without a request."""

    key = "_last_activity"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and (user.is_staff or user.is_superuser or self._privileged(user)):
            now = int(time.time())
            last = request.session.get(self.key)
            if last is not None and now - last > settings.STAFF_SESSION_IDLE_SECONDS:
                logout(request)
                messages.info(request, _("You were signed out after a period of inactivity."))
                return redirect("account_login")
            request.session[self.key] = now
        return self.get_response(request)

    @staticmethod
    def _privileged(user) -> bool:
        from participation.core.predicates import COUNCIL, MODERATOR, STAFF, _role_names

        return bool(_role_names(user) & {STAFF, MODERATOR, COUNCIL})


class RateLimitedMiddleware:
    """Turn ``RateLimited`` into a translated 429 (JSON under /api/ and /open311/)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, RateLimited):
            return None
        return rate_limited_response(request, exception)


class ApiLanguageMiddleware:
    """Machine interfaces have no language prefix: they honour ``?lang=`` or Accept-Language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(MACHINE_PREFIXES):
            from django.utils import translation

            requested = machine_language(request)
            translation.activate(requested)
            request.LANGUAGE_CODE = requested
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """django-csp's middleware with one exception: Wagtail's admin (staff only, /admin/) still renders
    a few inline scripts for its date pickers and inline panels, so it gets 'unsafe-inline' for
    scripts and styles. No 'unsafe-eval' anywhere; the public site keeps script-src 'self'."""

    admin_prefix = "/admin/"

    def __init__(self, get_response):
        from csp.middleware import CSPMiddleware

        self.get_response = get_response
        self.csp = CSPMiddleware(get_response)

    def __call__(self, request):
        self.csp.process_request(request)
        response = self.get_response(request)
        if request.path.startswith(self.admin_prefix):
            response._csp_update = {
                "script-src": ["'unsafe-inline'"],
                "style-src": ["'unsafe-inline'"],
            }
        return self.csp.process_response(request, response)
