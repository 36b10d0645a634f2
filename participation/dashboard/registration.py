"""How the council dashboard plugs into the kernel: its pages, its live socket, its menu entry."""

from django.urls import path
from django.utils.translation import gettext_lazy as _


def register() -> None:
    """Called from ParticipationConfig.ready()."""
    from participation.core import events
    from participation.core.registry import NavItem, registry
    from participation.dashboard import consumers

    registry.add_urls("dashboard/", "participation.dashboard.urls", translated=True)
    if not any(getattr(r, "name", None) == "ws-dashboard" for r in registry.websocket_routes):
        registry.add_websocket_routes([path("ws/dashboard/", consumers.DashboardConsumer.as_asgi(), name="ws-dashboard")])
    registry.add_nav_item(NavItem("dashboard:index", _("Dashboard"), order=810, permission="participation.view_dashboard"))
    events.subscribe("*", consumers.on_any_event)
