"""Open data: results and their public timelines (the kernel serves them as CSV, JSON and GeoJSON)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

RESULT_FIELDS = {
    "id": _("Result number"),
    "external_id": _("The department's own id for the result"),
    "consultation_id": _("Consultation page id (empty for city-wide programmes)"),
    "parent_id": _("Parent result number (empty for top-level results)"),
    "weight": _("Weight in the parent's progress"),
    "title": _("Title (Japanese)"),
    "title_en": _("Title (English)"),
    "description": _("Description (Japanese)"),
    "category": _("Category slug"),
    "department": _("Responsible department"),
    "status": _("Status key"),
    "status_name": _("Status name (Japanese)"),
    "progress": _("Progress in percent (own, or rolled up from child results)"),
    "start_date": _("Planned start (YYYY-MM-DD)"),
    "end_date": _("Planned end (YYYY-MM-DD)"),
    "budget_planned": _("Planned budget in yen"),
    "budget_spent": _("Budget spent in yen"),
    "proposal_ids": _("Numbers of the visible proposals the result answers, space-separated"),
    "report_ids": _("Numbers of the public reports the result resolves, space-separated"),
    "latitude": _("Latitude (WGS84) of the first place"),
    "longitude": _("Longitude (WGS84) of the first place"),
    "updated_at": _("Last change (ISO 8601, UTC)"),
}
EVENT_FIELDS = {
    "id": _("Timeline entry number"),
    "result_id": _("Result number"),
    "kind": _("created, update, change or import"),
    "created_at": _("Time (ISO 8601, UTC)"),
    "department": _("Department responsible at the time"),
    "text": _("Text of the update"),
    "status_from": _("Status key before"),
    "status_to": _("Status key after"),
    "progress_from": _("Progress before (percent)"),
    "progress_to": _("Progress after (percent)"),
    "start_date_to": _("New planned start, when it changed"),
    "end_date_to": _("New planned end, when it changed"),
}


def export_results():
    from accountability.selectors import public_results
    from proposals.models import Proposal
    from reports_map.models import Report

    qs = (public_results().select_related("status", "department", "category")
          .prefetch_related("places", "proposal_links", "report_links").order_by("pk"))
    visible_proposals = set(Proposal.objects.visible().values_list("pk", flat=True).filter(result_links__isnull=False))
    public_reports = set(Report.objects.visible().filter(private=False, result_links__isnull=False)
                         .values_list("pk", flat=True))
    for r in qs.iterator(chunk_size=200):
        places = list(r.places.all())
        yield {
            "id": r.pk, "external_id": r.external_id or "", "consultation_id": r.consultation_id or "",
            "parent_id": r.parent_id or "", "weight": r.weight, "title": r.title, "title_en": r.title_en,
            "description": r.description, "category": r.category.slug if r.category else "",
            "department": r.department.name if r.department else "", "status": r.status.key,
            "status_name": r.status.name, "progress": r.progress,
            "start_date": r.start_date.isoformat() if r.start_date else "",
            "end_date": r.end_date.isoformat() if r.end_date else "",
            "budget_planned": r.budget_planned if r.budget_planned is not None else "",
            "budget_spent": r.budget_spent if r.budget_spent is not None else "",
            "proposal_ids": " ".join(str(link.proposal_id) for link in r.proposal_links.all()
                                     if link.proposal_id in visible_proposals),
            "report_ids": " ".join(str(link.report_id) for link in r.report_links.all()
                                   if link.report_id in public_reports),
            "latitude": places[0].latitude if places else None, "longitude": places[0].longitude if places else None,
            "updated_at": r.updated_at.isoformat(),
        }


def export_events():
    from accountability.models import ResultEvent
    from accountability.selectors import public_results

    qs = ResultEvent.objects.filter(result__in=public_results()).order_by("pk")
    for e in qs.iterator(chunk_size=500):
        changes = e.changes or {}
        status = changes.get("status") or [None, None]
        progress = changes.get("progress") or [None, None]
        yield {
            "id": e.pk, "result_id": e.result_id, "kind": e.kind, "created_at": e.created_at.isoformat(),
            "department": e.department, "text": e.text, "status_from": status[0] or "", "status_to": status[1] or "",
            "progress_from": "" if progress[0] is None else progress[0],
            "progress_to": "" if progress[1] is None else progress[1],
            "start_date_to": (changes.get("start_date") or [None, ""])[1] or "",
            "end_date_to": (changes.get("end_date") or [None, ""])[1] or "",
        }
