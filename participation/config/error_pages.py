"""The site's own 404 page while DEBUG=1 (issue 12: the demo showed Django's technical 404, listing every URL
pattern, for a hidden proposal or any unknown address).

Django answers ``Http404`` with ``technical_404_response`` whenever DEBUG is on. ``NotFoundPageMiddleware``
renders the ``handler404`` page (templates/404.html) instead when ``TECHNICAL_404`` is off, which bin/serve
sets for the served site (the demo of ``make run``); ``manage.py runserver`` keeps the technical page for
developers. With DEBUG off, or TECHNICAL_404 on, the middleware is not used at all.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.http import Http404
from django.urls import Resolver404, get_resolver, get_urlconf


def not_found_response(request, exception: Exception):
    """What the URLconf's ``handler404`` answers, as Django does with DEBUG off."""
    callback = get_resolver(get_urlconf()).resolve_error_handler(404)
    return callback(request, exception=exception)


class NotFoundPageMiddleware:
    def __init__(self, get_response):
        if not settings.DEBUG or settings.TECHNICAL_404:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # A path that matched no URL pattern: Django built the technical page before any view ran.
        if (response.status_code == 404 and getattr(request, "resolver_match", None) is None
                and response.get("Content-Type", "").startswith("text/html")):
            return not_found_response(request, Resolver404({"path": request.path_info}))
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, Http404):
            return not_found_response(request, exception)
        return None
