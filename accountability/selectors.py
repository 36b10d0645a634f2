"""Reads for results: public lists with filters, detail with timeline, summaries for charts and the dashboard."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accountability.models import Department, Result, ResultEvent, ResultStatus
from participation.core import consultations


def public_consultation_pages():
    """Live, unrestricted consultation pages (through the kernel's one gateway to consultations)."""
    found = consultations.provider()
    return found.public_pages() if found is not None else Result.objects.none()


def public_consultation_ids() -> list[int]:
    return consultations.public_ids()


def public_results():
    """Results anyone may see: city-wide ones and those of live, public consultations."""
    return Result.objects.filter(Q(consultation__isnull=True) | Q(consultation_id__in=public_consultation_ids()))


@dataclass(frozen=True)
class ResultFilters:
    status: str = ""
    category: str = ""
    department: str = ""
    consultation: int | None = None


def result_filters_clean(*, status=None, category=None, department=None, consultation=None) -> ResultFilters:
    """Filters from a query string; an unknown value is a clear error (the page shows it, unfiltered)."""
    status, category, department = (status or "").strip(), (category or "").strip(), (department or "").strip()
    if status and not ResultStatus.objects.filter(key=status).exists():
        raise ValidationError(_("Unknown status “%(value)s”.") % {"value": status})
    if department and not Department.objects.filter(slug=department).exists():
        raise ValidationError(_("Unknown department “%(value)s”.") % {"value": department})
    consultation_id = None
    if consultation not in (None, ""):
        try:
            consultation_id = int(consultation)
        except (TypeError, ValueError):
            raise ValidationError(_("Unknown consultation “%(value)s”.") % {"value": consultation}) from None
    return ResultFilters(status=status, category=category, department=department, consultation=consultation_id)


def result_list(*, filters: ResultFilters = ResultFilters(), consultation_id: int | None = None,
                public_consultation=None):
    """``public_consultation``: the consultation page the caller holds and found public (its results only,
    without looking up every public consultation)."""
    if public_consultation is not None:
        qs = Result.objects.filter(consultation_id=public_consultation.pk)
        consultation_id = public_consultation.pk
    else:
        qs = public_results()
    qs = qs.select_related("status", "department", "category", "consultation", "parent")
    consultation_id = consultation_id or filters.consultation
    if consultation_id:
        qs = qs.filter(consultation_id=consultation_id)
    if filters.status:
        qs = qs.filter(status__key=filters.status)
    if filters.category:
        qs = qs.filter(category__slug=filters.category)
    if filters.department:
        qs = qs.filter(department__slug=filters.department)
    return qs.prefetch_related("places").order_by("category__sort_order", "category_id", "parent_id", "pk")


def overall_progress(results) -> int | None:
    """Mean progress of the top-level results in the list (children count through their parent)."""
    results = list(results)
    ids = {r.pk for r in results}
    top = [r.progress for r in results if r.parent_id is None or r.parent_id not in ids]
    return round(sum(top) / len(top)) if top else None


def group_by_category(results) -> list[dict]:
    groups: dict = {}
    for result in results:
        key = result.category_id or 0
        group = groups.setdefault(key, {"category": result.category, "results": []})
        group["results"].append(result)
    out = []
    for group in groups.values():
        group["progress"] = overall_progress(group["results"])
        out.append(group)
    return out


def status_counts(results) -> list[dict]:
    """Rows for the chart and its data table: every configured status with its count."""
    counts = Counter(r.status_id for r in results)
    return [{"status": s, "label": s.localized_name, "count": counts.get(s.pk, 0)} for s in ResultStatus.objects.all()]


def map_points(results) -> list[dict]:
    points = []
    for result in results:
        for place in result.places.all():
            points.append({
                "lat": place.latitude, "lon": place.longitude, "title": result.localized_title,
                "place": place.label, "url": result.get_absolute_url(), "progress": result.progress,
                "status": result.status.localized_name,
            })
    return points


def result_detail(*, result_id: int) -> Result | None:
    return (
        public_results().select_related("status", "department", "category", "consultation", "parent")
        .prefetch_related("places").filter(pk=result_id).first()
    )


def result_timeline(*, result: Result) -> list[ResultEvent]:
    events = list(result.events.all().order_by("-created_at", "-pk"))
    statuses = {s.key: s for s in ResultStatus.objects.all()}
    for event in events:
        lines = []
        if "status" in event.changes:
            old, new = event.changes["status"]
            lines.append(("status", statuses.get(old), statuses.get(new)))
        if "progress" in event.changes:
            lines.append(("progress", *event.changes["progress"]))
        for key in ("start_date", "end_date"):
            if key in event.changes:
                lines.append((key, *event.changes[key]))
        event.change_lines = lines
    return events


def result_children(*, result: Result):
    return list(result.children.select_related("status").order_by("pk"))


def result_proposals(*, result: Result):
    from proposals.models import Proposal

    return list(Proposal.objects.visible().filter(result_links__result=result).order_by("pk"))


def result_reports(*, result: Result):
    from reports_map.models import Report

    return list(Report.objects.visible().filter(result_links__result=result, private=False)
                .select_related("category").order_by("pk"))


def results_for_proposal(*, proposal_id: int) -> list[Result]:
    """The public results answering a proposal, each with its latest timeline entry."""
    results = list(
        public_results().filter(proposal_links__proposal_id=proposal_id).select_related("status", "department")
        .prefetch_related(Prefetch("events", queryset=ResultEvent.objects.order_by("-created_at", "-pk"),
                                   to_attr="recent_events"))
        .order_by("pk")
    )
    for result in results:
        result.latest_event = result.recent_events[0] if result.recent_events else None
    return results


def results_for_report(*, report_id: int) -> list[Result]:
    return list(public_results().filter(report_links__report_id=report_id).select_related("status").order_by("pk"))


def results_for_linking(*, consultation_id: int | None):
    qs = Result.objects.select_related("status").order_by("pk")
    if consultation_id:
        qs = qs.filter(Q(consultation_id=consultation_id) | Q(consultation__isnull=True))
    return qs


# --- dashboard ------------------------------------------------------------------------------


def dashboard_progress_by_consultation() -> list[dict]:
    results = list(public_results().only("pk", "progress", "parent_id", "consultation_id", "end_date"))
    by_consultation: dict = {}
    for r in results:
        by_consultation.setdefault(r.consultation_id, []).append(r)
    titles = consultations.titles([cid for cid in by_consultation if cid])
    today = timezone.localdate()
    rows = []
    for cid, items in by_consultation.items():
        rows.append({
            "consultation": titles.get(cid, "") if cid else _("City-wide"),
            "results": len(items), "progress": f"{overall_progress(items)}%",
            "overdue": sum(1 for r in items if r.end_date and r.end_date < today and r.progress < 100),
        })
    return sorted(rows, key=lambda row: str(row["consultation"]))


def dashboard_overdue() -> list[dict]:
    today = timezone.localdate()
    qs = (public_results().filter(end_date__lt=today, progress__lt=100).select_related("status", "department")
          .order_by("end_date", "pk"))
    return [{"result": f"⚠ {r.localized_title}", "department": r.department.localized_name if r.department else "",
             "status": r.status.localized_name, "progress": f"{r.progress}%", "end_date": r.end_date.isoformat(),
             "days_late": (today - r.end_date).days} for r in qs]


def dashboard_by_status() -> list[dict]:
    counts = dict(public_results().values_list("status_id").annotate(n=Count("pk")).order_by())
    return [{"status": s.localized_name, "count": counts.get(s.pk, 0)} for s in ResultStatus.objects.all()]


def dashboard_by_department() -> list[dict]:
    today = timezone.localdate()
    rows = (public_results().values("department__name", "department__name_en")
            .annotate(n=Count("pk"), done=Count("pk", filter=Q(progress__gte=100)),
                      overdue=Count("pk", filter=Q(end_date__lt=today, progress__lt=100)))
            .order_by("department__name"))
    from django.utils.translation import get_language

    english = (get_language() or "ja").startswith("en")
    return [{"department": ((r["department__name_en"] if english else "") or r["department__name"] or _("Not assigned")),
             "count": r["n"], "done": r["done"], "overdue": r["overdue"]} for r in rows]


def metric_results_total() -> int:
    return public_results().count()


def metric_results_per_consultation() -> dict[int, int]:
    return dict(public_results().exclude(consultation__isnull=True).values_list("consultation_id")
                .annotate(n=Count("pk")).order_by())
