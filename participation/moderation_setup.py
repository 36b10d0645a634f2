"""Registration of the moderation, dashboard, open-data and account-data features (kernel)."""

from django.urls import path
from django.utils.translation import gettext_lazy as _


def register() -> None:
    """Called from ParticipationConfig.ready()."""
    from participation import consumers, events
    from participation.moderation_api import router
    from participation.moderation_demo import seed_moderation
    from participation.registry import NavItem, registry

    registry.add_urls("moderation/", "participation.moderation_urls", translated=True)
    registry.add_urls("dashboard/", "participation.dashboard_urls", translated=True)
    registry.add_urls("open-data/", "participation.opendata_urls", translated=True)
    registry.add_urls("me/data/", "participation.account_data_urls", translated=True)
    registry.add_api_router("", router)
    if not any(getattr(r, "name", None) == "ws-dashboard" for r in registry.websocket_routes):
        registry.add_websocket_routes([path("ws/dashboard/", consumers.DashboardConsumer.as_asgi(), name="ws-dashboard")])
    registry.add_nav_item(NavItem("opendata:index", _("Open data"), order=800))
    registry.add_nav_item(NavItem("dashboard:index", _("Dashboard"), order=810, permission="participation.view_dashboard"))
    registry.add_nav_item(NavItem("moderation:queue", _("Moderation"), order=820, permission="participation.moderate"))
    registry.add_nav_item(NavItem("moderation:audit_log", _("Audit log"), order=830, permission="participation.view_audit_log"))
    registry.add_demo_seeder("moderation", seed_moderation, order=70)
    events.subscribe("*", consumers.on_any_event)
