"""The site's public address, for links that leave the page (e-mails, open data, feeds).

``SITE_URL`` wins when it is configured (production, behind a proxy). Without it, a link made while
answering a request uses the address that request came in on, and one made outside a request (a task,
a command) uses the address the demo server listens on (``http://127.0.0.1:$PORT``), so the demo's
links work without any configuration.
"""

from __future__ import annotations

from contextvars import ContextVar

from django.conf import settings

_request_origin: ContextVar[str] = ContextVar("request_origin", default="")


def site_url() -> str:
    """The origin (scheme and host, no trailing slash) that absolute links start with."""
    configured = (getattr(settings, "SITE_URL", "") or "").rstrip("/")
    return configured or _request_origin.get() or settings.SERVING_URL.rstrip("/")


def absolute_url(path: str) -> str:
    """``path`` (starting with ``/``) as an absolute URL; absolute URLs are returned unchanged."""
    if not path or not path.startswith("/"):
        return path
    return site_url() + path


class RequestOriginMiddleware:
    """Remember the address the current request came in on (for links built while answering it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            origin = f"{request.scheme}://{request.get_host()}"
        except Exception:  # DisallowedHost: CommonMiddleware answers it; links fall back to the default
            origin = ""
        token = _request_origin.set(origin)
        try:
            return self.get_response(request)
        finally:
            _request_origin.reset(token)
