from django.apps import AppConfig


class ReportsMapConfig(AppConfig):
    name = "reports_map"
    default_auto_field = "django.db.models.BigAutoField"
