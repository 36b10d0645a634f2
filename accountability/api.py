"""JSON API for results (mounted at /api/v1/ by the kernel): lists with filters, one result in full."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from ninja import Router, Schema

from accountability import selectors
from accountability.models import Result

router = Router(tags=["results"])


class PlaceOut(Schema):
    label: str
    latitude: float
    longitude: float


class ResultOut(Schema):
    id: int
    external_id: str | None
    consultation: int | None
    parent: int | None
    weight: int
    title: str
    title_en: str
    description: str
    category: str | None
    department: str | None
    status: str
    status_label: str
    progress: int
    start_date: date | None
    end_date: date | None
    budget_planned: int | None
    budget_spent: int | None
    overdue: bool
    places: list[PlaceOut]
    url: str


class ResultPage(Schema):
    items: list[ResultOut]
    count: int


class EventOut(Schema):
    id: int
    kind: str
    created_at: datetime
    department: str
    text: str
    changes: dict
    photo: str | None


class ChildOut(Schema):
    id: int
    title: str
    status: str
    progress: int
    weight: int


class LinkedProposalOut(Schema):
    id: int
    title: str
    state: str
    url: str


class LinkedReportOut(Schema):
    id: int
    category: str
    status: str
    url: str


class ResultDetailOut(ResultOut):
    timeline: list[EventOut]
    children: list[ChildOut]
    proposals: list[LinkedProposalOut]
    reports: list[LinkedReportOut]


def _out(r: Result) -> dict:
    return {
        "id": r.pk, "external_id": r.external_id, "consultation": r.consultation_id, "parent": r.parent_id,
        "weight": r.weight, "title": r.title, "title_en": r.title_en, "description": r.description,
        "category": r.category.slug if r.category_id else None,
        "department": r.department.localized_name if r.department_id else None,
        "status": r.status.key, "status_label": r.status.localized_name, "progress": r.progress,
        "start_date": r.start_date, "end_date": r.end_date, "budget_planned": r.budget_planned,
        "budget_spent": r.budget_spent, "overdue": r.is_overdue,
        "places": [{"label": p.label, "latitude": p.latitude, "longitude": p.longitude} for p in r.places.all()],
        "url": r.get_absolute_url(),
    }


@router.get("/results", response=ResultPage, summary="Results (what the city did), filtered")
def result_list(request, consultation: int | None = None, status: str | None = None, category: str | None = None,
                department: str | None = None):
    """Public results. Filters: `consultation` (page id), `status` (key), `category` (slug), `department` (key).
    An unknown status or department is a 400."""
    filters = selectors.result_filters_clean(status=status, category=category, department=department,
                                             consultation=consultation)
    items = [_out(r) for r in selectors.result_list(filters=filters)]
    return {"items": items, "count": len(items)}


@router.get("/results/{result_id}", response=ResultDetailOut, summary="One result with timeline, children and links")
def result_get(request, result_id: int):
    result = selectors.result_detail(result_id=result_id)
    if result is None or not request.user.has_perm("accountability.view_result", result):
        raise Http404
    data = _out(result)
    data["timeline"] = [
        {"id": e.pk, "kind": e.kind, "created_at": e.created_at, "department": e.localized_department,
         "text": e.text, "changes": e.changes, "photo": e.image.url if e.image else None}
        for e in selectors.result_timeline(result=result)
    ]
    data["children"] = [{"id": c.pk, "title": c.localized_title, "status": c.status.key, "progress": c.progress,
                         "weight": c.weight} for c in selectors.result_children(result=result)]
    data["proposals"] = [{"id": p.pk, "title": p.title, "state": p.state, "url": p.get_absolute_url()}
                         for p in selectors.result_proposals(result=result)]
    data["reports"] = [{"id": r.pk, "category": r.category.localized_name, "status": r.status,
                        "url": reverse("reports_map:detail", args=[r.pk])} for r in selectors.result_reports(result=result)]
    return data


__all__ = ["router", "ValidationError"]
