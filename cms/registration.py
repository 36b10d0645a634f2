"""How the CMS plugs into the kernel: its API router, demo pages, open-data exports and the published summary section."""

from __future__ import annotations

from participation.core.registry import registry


def published_summary_section(request, page):
    """The published summary and themes of the consultation, shown to everyone; nothing before publishing."""
    from ml.selectors import published_summary

    data = published_summary(page.canonical.pk)
    if data is None:
        return None
    return "ml/published_summary.html", data


def register() -> None:
    """Called from CmsConfig.ready()."""
    from cms import api, demo, exports
    from cms.consultations import CmsConsultations
    from participation.core import consultations

    consultations.register_provider(CmsConsultations())
    registry.add_api_router("/", api.router)
    registry.add_demo_seeder("pages", demo.seed_pages, order=20)
    registry.add_consultation_section(published_summary_section, order=50)
    exports.register(registry)
