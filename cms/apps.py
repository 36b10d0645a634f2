from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Pages")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cms import analysis_glue, api, demo, exports
        from participation.registry import registry

        registry.add_api_router("/", api.router)
        registry.add_demo_seeder("pages", demo.seed_pages, order=20)
        analysis_glue.register()
        exports.register(registry)
