from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsMapConfig(AppConfig):
    name = "reports_map"
    verbose_name = _("Reports map")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from reports_map import registration

        registration.register()
