"""Open-data table of consultations (the kernel renders it; only cms knows the pages)."""

from django.utils.translation import gettext_lazy as _
from wagtail.models import Locale

from participation.core.registry import ExportSpec
from participation.core.site import absolute_url

FIELDS = {
    "id": _("Consultation number (the id other tables refer to)"),
    "title": _("Title in Japanese"),
    "title_en": _("Title in English (empty when not translated)"),
    "summary": _("Summary in Japanese"),
    "url": _("Address of the consultation page"),
    "start_date": _("Start date"),
    "end_date": _("End date (empty when open-ended)"),
    "phase": _("Current phase: information, proposals, support or closed"),
    "categories": _("Category slugs, separated by spaces"),
}


def consultation_rows():
    from cms.api import canonical_consultations

    english = Locale.objects.filter(language_code="en").first()
    for page in canonical_consultations():
        translated = page.get_translation_or_none(english) if english else None
        phase = page.current_phase()
        yield {
            "id": page.pk,
            "title": page.title,
            "title_en": translated.title if translated else "",
            "summary": page.summary,
            "url": absolute_url(page.url or ""),
            "start_date": page.start_date.isoformat(),
            "end_date": page.end_date.isoformat() if page.end_date else "",
            "phase": phase.kind if phase else "",
            "categories": " ".join(c.slug for c in page.categories.all()),
        }


def register(registry) -> None:
    registry.add("exports", "consultations", ExportSpec(label=_("Consultations"), fields=FIELDS, rows=consultation_rows))
