from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    name = "participation"
    verbose_name = _("Participation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Each room of the kernel plugs itself in through its own ``registration.register()``."""
        from participation.accounts import registration as accounts
        from participation.analysis import registration as analysis
        from participation.dashboard import registration as dashboard
        from participation.moderation import registration as moderation
        from participation.opendata import registration as opendata

        for room in (accounts, moderation, dashboard, opendata, analysis):
            room.register()
