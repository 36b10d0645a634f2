"""How the accounts room plugs into the kernel: "my data" pages, the notifications menu entry, demo accounts."""

from django.utils.translation import gettext_lazy as _


def register() -> None:
    """Called from ParticipationConfig.ready()."""
    from participation.accounts.demo import seed_accounts
    from participation.core.registry import NavItem, registry

    registry.add_urls("me/data/", "participation.accounts.data_urls", translated=True)
    registry.add_nav_item(NavItem("participation:notifications", _("Notifications"), order=900, permission="participation.act"))
    registry.add_demo_seeder("accounts", seed_accounts, order=10)
