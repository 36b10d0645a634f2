"""How the moderation room plugs into the kernel: its pages, its API router, its menu entries, its demo data."""

from django.utils.translation import gettext_lazy as _


def register() -> None:
    """Called from ParticipationConfig.ready()."""
    from participation.core.registry import NavItem, registry
    from participation.moderation.api import router
    from participation.moderation.demo import seed_moderation

    registry.add_urls("moderation/", "participation.moderation.urls", translated=True)
    registry.add_api_router("", router)
    registry.add_nav_item(NavItem("moderation:queue", _("Moderation"), order=820, permission="participation.moderate"))
    registry.add_nav_item(NavItem("moderation:audit_log", _("Audit log"), order=830, permission="participation.view_audit_log"))
    registry.add_demo_seeder("moderation", seed_moderation, order=70)
