from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    name = "participation"
    verbose_name = _("Participation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from participation import analysis_setup, demo, moderation_setup
        from participation.registry import NavItem, registry

        registry.add_nav_item(NavItem("participation:notifications", _("Notifications"), order=900, permission="participation.act"))
        registry.add_demo_seeder("accounts", demo.seed_accounts, order=10)
        moderation_setup.register()
        analysis_setup.register()
