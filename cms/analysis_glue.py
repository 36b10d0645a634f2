"""Registration of the analysis parts that live in the CMS (published summary on the consultation page)."""

from __future__ import annotations

from participation.registry import registry


def published_summary_section(request, page):
    """The published summary and themes of the consultation, shown to everyone; nothing before publishing."""
    from ml.selectors import published_summary

    data = published_summary(page.canonical.pk)
    if data is None:
        return None
    return "ml/published_summary.html", data


def register() -> None:
    """Called from CmsConfig.ready()."""
    registry.add_consultation_section(published_summary_section, order=50)
