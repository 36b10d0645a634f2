"""How the CMS plugs into the kernel: its API router, demo pages, open-data exports and the published summary section."""

from __future__ import annotations

from participation.core.registry import registry


def published_summary_section(request, page):
    """The published summary and themes of the consultation, shown to everyone; nothing before publishing."""
    from ml.selectors import published_summary
    from ml.sentiment import percentages
    from participation.analysis.public import public_quotes
    from participation.core import freshness

    consultation_id = page.canonical.pk

    def build():
        data = published_summary(consultation_id)
        if data is None:
            return None
        quotes = public_quotes(consultation_id, data["summary"].run_id, themes=data.pop("theme_rows", None))
        for theme, theme_quotes in zip(data["themes"], quotes, strict=False):
            theme["quotes"] = theme_quotes
        shares = data.get("sentiment") or {}
        data["tone"] = percentages(shares)
        data["has_tone"] = bool(shares)
        return data

    # Kept under the consultation's stamp (its texts hidden or withdrawn drop their quotes) and the site's
    # (publishing a summary, editing themes: cms/registration.py connects those writes).
    data = freshness.cached(f"cms:summary:{consultation_id}",
                            [freshness.SITE, freshness.consultation(consultation_id)], build)
    if data is None:
        return None
    return "ml/published_summary.html", data


def _connect_cache_stamps() -> None:
    """Writes that change what cached reads of pages show bump the site's stamp after commit
    (participation/core/freshness.py): pages (publish, unpublish, move, delete), view restrictions, phases
    and categories, and the published analysis."""
    from wagtail.models import PageViewRestriction, get_page_models
    from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

    from cms.models import ConsultationCategory, ConsultationPhase
    from ml.models import Summary, Theme
    from participation.core import freshness

    freshness.bump_site_on_writes(*get_page_models(), PageViewRestriction, ConsultationPhase, ConsultationCategory,
                                  Summary, Theme)
    for signal in (post_page_move, page_published, page_unpublished, page_slug_changed):
        signal.connect(freshness.bump_site_receiver, dispatch_uid=f"freshness-{id(signal)}")


def register() -> None:
    """Called from CmsConfig.ready()."""
    from cms import api, demo, exports
    from cms.consultations import CmsConsultations
    from cms.slugs import ascii_slugs_for_every_page_type
    from participation.core import consultations

    consultations.register_provider(CmsConsultations())
    registry.add_api_router("/", api.router)
    registry.add_demo_seeder("pages", demo.seed_pages, order=20)
    registry.add_demo_seeder("card pictures", demo.seed_card_images, order=25)
    registry.add_consultation_section(published_summary_section, order=50)
    exports.register(registry)
    _connect_cache_stamps()
    ascii_slugs_for_every_page_type()
