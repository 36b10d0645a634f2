"""How the open-data room plugs into the kernel: its pages and its menu entry."""

from django.utils.translation import gettext_lazy as _


def register() -> None:
    """Called from ParticipationConfig.ready()."""
    from participation.core.registry import NavItem, registry

    registry.add_urls("open-data/", "participation.opendata.urls", translated=True)
    registry.add_nav_item(NavItem("opendata:index", _("Open data"), order=800))
