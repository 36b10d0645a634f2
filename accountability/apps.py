from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountabilityConfig(AppConfig):
    name = "accountability"
    verbose_name = _("Accountability")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accountability import registration

        registration.register()
