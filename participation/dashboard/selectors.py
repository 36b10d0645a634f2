"""Reads for the council dashboard: totals, per consultation, Kakogawa's KPIs, daily series, tables.

Everything comes from the registry (MetricSpec, DashboardTable); consultation titles come
through the gateway (``participation.core.consultations``), so the kernel imports neither cms nor Wagtail.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from participation.core import consultations
from participation.core.registry import registry
from participation.models import User

OPINION_METRICS = ("proposals", "comments")
DEFAULT_DAYS = 30
MAX_DAYS = 366


def consultation_titles(ids: list[int] | None = None) -> dict[int, str]:
    """{id: title} of canonical (default-language) consultation pages, titled in the active language."""
    return consultations.titles(ids)


def _safe(call, default):
    try:
        return call()
    except Exception:  # a failing metric must not take the dashboard down
        return default


def totals() -> list[dict[str, Any]]:
    return [
        {"key": key, "label": str(spec.label), "value": _safe(spec.total, 0)}
        for key, spec in registry.metrics.items()
    ]


def registered_users_count() -> int:
    return User.objects.filter(is_active=True).exclude(username__startswith="deleted-").count()


def consultations_count() -> int:
    metric = registry.metrics.get("consultations")
    if metric is not None:
        return _safe(metric.total, 0)
    if consultations.model() is None:
        return 0
    return consultations.canonical_pages().filter(live=True).count()


def opinion_posts_count() -> int:
    return sum(_safe(registry.metrics[key].total, 0) for key in OPINION_METRICS if key in registry.metrics)


def kpis() -> list[dict[str, Any]]:
    """Kakogawa's three KPIs, cumulative."""
    return [
        {"key": "consultations", "label": str(_("Consultations run on the platform")), "value": consultations_count()},
        {"key": "registered_users", "label": str(_("Registered users")), "value": registered_users_count()},
        {"key": "opinion_posts", "label": str(_("Opinion posts (proposals and comments)")), "value": opinion_posts_count()},
    ]


def per_consultation() -> tuple[list[tuple[str, str]], list[dict[str, Any]]]:
    """Columns and one row per consultation with every metric that reports per consultation."""
    values = {key: _safe(spec.per_consultation, {}) for key, spec in registry.metrics.items()}
    values = {key: v for key, v in values.items() if v}
    ids = set()
    for per in values.values():
        ids.update(per)
    titles = consultation_titles()
    ids.update(titles)
    columns = [("consultation_id", str(_("id"))), ("title", str(_("consultation")))]
    columns += [(key, str(registry.metrics[key].label)) for key in values]
    rows = []
    for cid in sorted(ids):
        row = {"consultation_id": cid, "title": titles.get(cid, f"#{cid}")}
        for key, per in values.items():
            row[key] = per.get(cid, 0)
        rows.append(row)
    return columns, rows


def _date_range(days: int) -> list[dt.date]:
    today = timezone.localdate()
    return [today - dt.timedelta(days=offset) for offset in range(days - 1, -1, -1)]


def _as_date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def daily_series(days: int = DEFAULT_DAYS) -> dict[str, dict[str, Any]]:
    """{metric key: {"label", "points": [(date, n)]}} of new items per day, zeros filled in."""
    days = max(1, min(int(days), MAX_DAYS))
    dates = _date_range(days)
    since = timezone.make_aware(dt.datetime.combine(dates[0], dt.time.min))
    series = {}
    for key, spec in registry.metrics.items():
        raw = _safe(lambda spec=spec: spec.daily(since), {}) or {}
        counts: dict[dt.date, int] = {}
        for day, n in raw.items():
            parsed = _as_date(day)
            if parsed is not None:
                counts[parsed] = counts.get(parsed, 0) + int(n or 0)
        series[key] = {"label": str(spec.label), "points": [(d, counts.get(d, 0)) for d in dates]}
    return series


def kpi_series(days: int = DEFAULT_DAYS, daily: dict | None = None) -> dict[str, dict[str, Any]]:
    """Cumulative registered users and opinion posts per day over the window."""
    days = max(1, min(int(days), MAX_DAYS))
    dates = _date_range(days)
    since = timezone.make_aware(dt.datetime.combine(dates[0], dt.time.min))
    users = User.objects.filter(is_active=True).exclude(username__startswith="deleted-")
    before = users.filter(date_joined__lt=since).count()
    joined = {
        row["day"]: row["n"]
        for row in users.filter(date_joined__gte=since)
        .annotate(day=TruncDate("date_joined", tzinfo=timezone.get_current_timezone()))
        .values("day").annotate(n=Count("id")).values("day", "n")
    }
    result = {"registered_users": {"label": str(_("Registered users")), "points": _cumulate(dates, joined, before)}}
    daily = daily if daily is not None else daily_series(days)
    post_counts: dict[dt.date, int] = {}
    for key in OPINION_METRICS:
        for day, n in daily.get(key, {}).get("points", []):
            post_counts[day] = post_counts.get(day, 0) + n
    start = opinion_posts_count() - sum(post_counts.values())
    result["opinion_posts"] = {
        "label": str(_("Opinion posts (proposals and comments)")),
        "points": _cumulate(dates, post_counts, max(start, 0)),
    }
    return result


def _cumulate(dates: list[dt.date], per_day: dict, start: int) -> list[tuple[dt.date, int]]:
    running, points = start, []
    for day in dates:
        running += per_day.get(day, 0)
        points.append((day, running))
    return points


def extra_tables() -> dict[str, dict[str, Any]]:
    """Tables feature apps registered (reports by status, by category, median days to fix ...)."""
    tables = {}
    for key, spec in registry.dashboard_tables.items():
        tables[key] = {
            "label": str(spec.label), "columns": [(c, str(h)) for c, h in spec.columns],
            "rows": _safe(spec.rows, []),
        }
    return tables


def all_tables(days: int = DEFAULT_DAYS) -> dict[str, dict[str, Any]]:
    """Every table on the dashboard, keyed as in /dashboard/export/<key>.csv|json."""
    tables = {
        "totals": {
            "label": str(_("Totals")), "columns": [("key", str(_("key"))), ("label", str(_("metric"))), ("value", str(_("count")))],
            "rows": totals(),
        },
        "kpis": {
            "label": str(_("Key performance indicators")),
            "columns": [("key", str(_("key"))), ("label", str(_("indicator"))), ("value", str(_("count")))],
            "rows": kpis(),
        },
    }
    columns, rows = per_consultation()
    tables["per_consultation"] = {"label": str(_("Per consultation")), "columns": columns, "rows": rows}
    daily = daily_series(days)
    cumulative = kpi_series(days, daily)
    day_columns = [("date", str(_("date")))] + [(k, s["label"]) for k, s in daily.items()]
    day_columns += [(f"cumulative_{k}", str(_("%(label)s (cumulative)") % {"label": s["label"]})) for k, s in cumulative.items()]
    day_rows = []
    for index, (day, _n) in enumerate(next(iter(cumulative.values()))["points"]):
        row = {"date": day.isoformat()}
        for key, s in daily.items():
            row[key] = s["points"][index][1]
        for key, s in cumulative.items():
            row[f"cumulative_{key}"] = s["points"][index][1]
        day_rows.append(row)
    tables["daily"] = {"label": str(_("Daily activity")), "columns": day_columns, "rows": day_rows}
    tables.update(extra_tables())
    return tables


def live_payload() -> dict[str, Any]:
    """What the dashboard websocket sends: ids and counts only."""
    return {
        "type": "dashboard.counts",
        "totals": {row["key"]: row["value"] for row in totals()},
        "kpis": {row["key"]: row["value"] for row in kpis()},
    }


# --- Charts (server-rendered SVG; the data table beside each chart is the accessible version) ---

CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 600, 200, 30


def chart(points: list[tuple[dt.date, int]], *, kind: str = "bar") -> dict[str, Any]:
    """Geometry for templates/participation/dashboard/chart.html (no inline styles needed)."""
    top = max([n for _d, n in points] + [1])
    inner_w, inner_h = CHART_WIDTH - 2 * CHART_PAD, CHART_HEIGHT - 2 * CHART_PAD
    step = inner_w / max(len(points), 1)
    bars, coords = [], []
    for index, (day, n) in enumerate(points):
        height = inner_h * n / top
        x = CHART_PAD + index * step
        y = CHART_PAD + inner_h - height
        bars.append({"x": round(x + step * 0.1, 1), "y": round(y, 1), "w": round(max(step * 0.8, 1), 1),
                     "h": round(height, 1), "date": day, "n": n})
        coords.append(f"{round(x + step / 2, 1)},{round(y, 1)}")
    labels = []
    if points:
        for index in sorted({0, len(points) // 2, len(points) - 1}):
            labels.append({"x": round(CHART_PAD + index * step + step / 2, 1), "text": points[index][0].strftime("%m/%d")})
    return {
        "kind": kind, "width": CHART_WIDTH, "height": CHART_HEIGHT, "pad": CHART_PAD, "bars": bars,
        "polyline": " ".join(coords), "max": top, "baseline": CHART_HEIGHT - CHART_PAD,
        "right": CHART_WIDTH - CHART_PAD, "labels": labels, "label_y": CHART_HEIGHT - CHART_PAD + 16,
        "points": points,
    }
