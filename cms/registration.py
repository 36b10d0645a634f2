"""How the CMS plugs into the kernel: its API router, demo pages, open-data exports and the published summary section."""

from __future__ import annotations

from participation.core.registry import registry


def published_summary_section(request, page):
    """The published summary and themes of the consultation, shown to everyone; nothing before publishing."""
    from ml.selectors import published_summary
    from participation.analysis.public import public_quotes

    consultation_id = page.canonical.pk
    data = published_summary(consultation_id)
    if data is None:
        return None
    quotes = public_quotes(consultation_id, data["summary"].run_id)
    for theme, theme_quotes in zip(data["themes"], quotes, strict=False):
        theme["quotes"] = theme_quotes
    shares = data.get("sentiment") or {}
    data["tone"] = {label: round(100 * float(shares.get(label, 0.0))) for label in ("positive", "negative", "neutral")}
    data["has_tone"] = bool(shares)
    return "ml/published_summary.html", data


def register() -> None:
    """Called from CmsConfig.ready()."""
    from cms import api, demo, exports
    from cms.consultations import CmsConsultations
    from cms.slugs import ascii_slugs_for_every_page_type
    from participation.core import consultations

    consultations.register_provider(CmsConsultations())
    registry.add_api_router("/", api.router)
    registry.add_demo_seeder("pages", demo.seed_pages, order=20)
    registry.add_consultation_section(published_summary_section, order=50)
    exports.register(registry)
    ascii_slugs_for_every_page_type()
