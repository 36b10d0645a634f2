"""The council dashboard and its exports (permission participation.view_dashboard)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from participation.core.errors import require
from participation.dashboard import selectors as dashboard
from participation.opendata.formats import csv_response, json_response

DAY_CHOICES = (7, 30, 90, 365)


def _days(request: HttpRequest) -> int:
    try:
        days = int(request.GET.get("days", dashboard.DEFAULT_DAYS))
    except (TypeError, ValueError):
        return dashboard.DEFAULT_DAYS
    return days if days in DAY_CHOICES else dashboard.DEFAULT_DAYS


@login_required
def index(request: HttpRequest) -> HttpResponse:
    require(request.user, "participation.view_dashboard")
    days = _days(request)
    tables = dashboard.all_tables(days)
    daily = dashboard.daily_series(days)
    cumulative = dashboard.kpi_series(days, daily)
    charts = [
        {"key": key, "label": s["label"], "chart": dashboard.chart(s["points"], kind="bar"), "cumulative": False}
        for key, s in daily.items()
    ] + [
        {"key": f"cumulative_{key}", "label": s["label"], "chart": dashboard.chart(s["points"], kind="line"),
         "cumulative": True}
        for key, s in cumulative.items()
    ]
    # Each KPI once, as a tile with its change over the period (from the cumulative series where there is one).
    kpi_tiles = [
        {**row, "trend": (cumulative[row["key"]]["points"][-1][1] - cumulative[row["key"]]["points"][0][1])
         if row["key"] in cumulative and cumulative[row["key"]]["points"] else None}
        for row in tables["kpis"]["rows"]
    ]
    extra_keys = [key for key in tables if key not in {"totals", "kpis", "per_consultation", "daily"}]
    return render(request, "participation/dashboard/index.html", {
        "tables": tables, "charts": charts, "days": days, "day_choices": DAY_CHOICES, "kpi_tiles": kpi_tiles,
        "extra_tables": [(key, tables[key]) for key in extra_keys],
        "live_payload": dashboard.live_payload(),
    })


@login_required
def export(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    require(request.user, "participation.view_dashboard")
    tables = dashboard.all_tables(_days(request))
    if table not in tables:
        raise Http404
    data = tables[table]
    columns = [key for key, _heading in data["columns"]]
    if fmt == "csv":
        return csv_response(f"dashboard-{table}.csv", columns, data["rows"])
    if fmt == "json":
        payload = {"table": table, "title": data["label"], "columns": dict(data["columns"]), "rows": data["rows"]}
        response = json_response(payload, filename=f"dashboard-{table}.json")
        del response["Access-Control-Allow-Origin"]  # not public
        return response
    raise Http404
