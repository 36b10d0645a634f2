"""ASGI entry point: HTTP and websockets in one application."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "participation.config.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402  (needs Django set up)
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from participation.config.overload import AdmissionLimit  # noqa: E402
from participation.core.registry import registry  # noqa: E402

application = ProtocolTypeRouter(
    {
        # At most ASGI_THREADS requests of this process inside Django at once; the rest wait, then 503.
        "http": AdmissionLimit(
            django_asgi_app, limit=settings.ASGI_THREADS, timeout=settings.REQUEST_QUEUE_TIMEOUT,
            max_waiting=settings.REQUEST_QUEUE_MAX,
        ),
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(registry.websocket_routes))),
    }
)
