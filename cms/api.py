"""API: the list of consultations (default-language pages; ids are what proposals attach to)."""

from __future__ import annotations

from datetime import date, datetime

from django.shortcuts import get_object_or_404
from django.utils import translation
from ninja import Router, Schema
from wagtail.models import Locale

from cms.models import ConsultationPage
from participation.core import consultations
from participation.core.consultations import counts_many

router = Router(tags=["consultations"])


class PhaseOut(Schema):
    kind: str
    title: str
    starts_at: datetime
    ends_at: datetime | None


class CategoryOut(Schema):
    slug: str
    name: str


class ConsultationOut(Schema):
    id: int
    title: str
    summary: str
    url: str
    start_date: date
    end_date: date | None
    phase: PhaseOut | None
    allows: list[str]
    categories: list[CategoryOut]
    supports_per_user: int
    proposals_per_user: int
    support_threshold: int
    proposals: int = 0
    comments: int = 0
    supports: int = 0


def consultation_out(page: ConsultationPage, counts: dict | None = None) -> dict:
    language = translation.get_language() or "ja"
    shown = page
    if language != page.locale.language_code:
        shown = page.get_translation_or_none(Locale.objects.filter(language_code=language).first()) or page
    phase = page.current_phase()
    return {
        "id": page.pk,
        "title": shown.title,
        "summary": shown.summary,
        "url": shown.url or "",
        "start_date": page.start_date,
        "end_date": page.end_date,
        "phase": phase and {"kind": phase.kind, "title": str(phase), "starts_at": phase.starts_at, "ends_at": phase.ends_at},
        "allows": sorted(f for f in ("create", "comment", "support") if page.phase_allows(f)),
        "categories": [{"slug": c.slug, "name": c.localized_name} for c in page.categories.all()],
        "supports_per_user": page.supports_per_user,
        "proposals_per_user": page.proposals_per_user,
        "support_threshold": page.support_threshold,
        **(counts if counts is not None else counts_many([page.pk])[page.pk]),
    }


def canonical_consultations():
    return (
        ConsultationPage.objects.live().public().filter(locale=Locale.get_default())
        .prefetch_related("phases", "categories").order_by("-start_date", "pk")
    )


@router.get("/consultations", response=list[ConsultationOut], summary="List consultations")
def consultation_list(request):
    pages = list(canonical_consultations())
    counts = counts_many([page.pk for page in pages])
    return [consultation_out(page, counts[page.pk]) for page in pages]


@router.get("/consultations/{consultation_id}", response=ConsultationOut, summary="One consultation")
def consultation_detail(request, consultation_id: int):
    """Any language copy's id answers with the consultation (participation.core.consultations' rule)."""
    page = consultations.get_or_404(consultation_id)
    return consultation_out(get_object_or_404(canonical_consultations(), pk=page.pk))
