from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = _("Proposals")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.urls import path

        from participation.registry import registry
        from proposals import integration

        integration.register()
        registry.add_urls("proposals/", "proposals.urls")
        from proposals.api import router
        from proposals.consumers import ConsultationCountsConsumer
        from proposals.demo import seed_proposals
        from proposals.views import consultation_section

        registry.add_api_router("/", router)
        registry.add_websocket_routes([
            path("ws/consultations/<int:consultation_id>/", ConsultationCountsConsumer.as_asgi()),
        ])
        registry.add_consultation_section(consultation_section, order=10)
        registry.add_demo_seeder("proposals", seed_proposals, order=30)
