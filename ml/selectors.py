"""Reads for the review page and the public summary."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ml.models import AnalysisRun, OpinionGroup, Summary, Theme
from ml.sentiment import percentages
from ml.text import natural_key

MAP_MAX_POINTS = 2000
PALETTE_SIZE = 10


def latest_run(consultation_id: int) -> AnalysisRun | None:
    return AnalysisRun.objects.filter(consultation_id=consultation_id).order_by("-created_at", "-id").first()


def latest_successful_run(consultation_id: int) -> AnalysisRun | None:
    return (
        AnalysisRun.objects.filter(consultation_id=consultation_id, status=AnalysisRun.Status.SUCCEEDED)
        .order_by("-finished_at", "-id")
        .first()
    )


def runs_by_consultation(consultation_ids: list[int]) -> dict[int, AnalysisRun]:
    """The latest run of each consultation (one query)."""
    latest: dict[int, AnalysisRun] = {}
    for run in (
        AnalysisRun.objects.filter(consultation_id__in=consultation_ids)
        .defer("items", "opinion")
        .order_by("-created_at", "-id")
    ):
        latest.setdefault(run.consultation_id, run)
    return latest


def summary_for(consultation_id: int) -> Summary | None:
    return Summary.objects.select_related("run").filter(consultation_id=consultation_id).first()


def theme_name(theme: Theme) -> str:
    """What a theme is called in public and in the report: staff's own name once they renamed it, else
    the generated title (the central opinion unit), else the keyword label."""
    if theme.label != theme.generated_label:
        return theme.label
    return theme.title or theme.label


def published_summary(consultation_id: int) -> dict[str, Any] | None:
    """The published summary and the top-level themes (label, keywords, size) of its run, or None."""
    summary = (
        Summary.objects.filter(consultation_id=consultation_id, published_at__isnull=False)
        .select_related("run")
        .defer("run__items", "run__noise_ids", "run__opinion")  # every text of the run: not shown, and it is cached
        .first()
    )
    if summary is None:
        return None
    themes = []
    if summary.run_id:
        themes = list(
            Theme.objects.filter(run_id=summary.run_id, parent=None).only(
                "label", "generated_label", "title", "keywords", "size", "position", "sentiment", "quotes"
            )
        )
    total = sum(t.size for t in themes) or 1
    return {
        "summary": summary,
        "themes": [
            {
                "label": t.label,
                "title": theme_name(t),
                "keywords": t.keywords[:5],
                "size": t.size,
                "percent": round(100 * t.size / total),
                "sentiment": percentages(t.sentiment) if t.sentiment else {},  # percent per label, adding up to 100
            }
            for t in themes
        ],
        "sentiment": (summary.run.sentiment or {}).get("shares", {}) if summary.run_id else {},
        "theme_rows": themes,  # the Theme rows themselves, for their quotes (read once)
    }


def _item(run: AnalysisRun, item_id: str) -> dict[str, Any]:
    item = run.items.get(item_id) or {}
    return {"id": item_id, "text": item.get("text", ""), "url": item.get("url", ""), "kind": item.get("kind", "")}


def _once_per_text(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The first of statements that read the same (residents post 「賛成です」 under several proposals, and each
    is a statement of its own to vote on): a list of what characterises a group says each thing once."""
    from ml.text import normalise

    seen, kept = set(), []
    for item in items:
        key = normalise(item.get("text", "")).strip()
        if key and key in seen:
            continue
        seen.add(key)
        kept.append(item)
    return kept


def _quotes(run: AnalysisRun, theme: Theme, limit: int | None = None) -> list[dict[str, Any]]:
    """A theme's quotes: its representative opinion units (``text`` = the unit, ``full_text`` = the whole
    item, ``sentiment``) when the run stored them, else its representative items as before."""
    if theme.quotes:
        return [
            {
                **_item(run, str(q["id"])),
                "full_text": _item(run, str(q["id"]))["text"],
                "text": q["quote"],
                "sentiment": q.get("sentiment", ""),
            }
            for q in theme.quotes[:limit]
        ]
    return [_item(run, i) for i in theme.representative_ids[:limit]]


def run_review(
    run: AnalysisRun,
    *,
    channel_labels: dict[str, str] | None = None,
    attribute_labels: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Themes with quotes, the opinion map, the themes by channel and attribute, groups with their statements —
    ready for the template. ``channel_labels``: what a channel is called, by item kind or opinion-source key;
    ``attribute_labels``: what an attribute is called, by its key."""
    themes_qs = Theme.objects.filter(run=run, parent=None).prefetch_related(
        Prefetch("subthemes", queryset=Theme.objects.order_by("position", "id"))
    )
    themes = []
    theme_index: dict[int, int] = {}
    for number, theme in enumerate(themes_qs):
        theme_index[theme.pk] = number
        themes.append(
            {
                "theme": theme,
                "colour": number % PALETTE_SIZE,
                "number": number + 1,
                "quotes": _quotes(run, theme),
                "subthemes": [{"theme": sub, "quotes": _quotes(run, sub, 3)} for sub in theme.subthemes.all()],
            }
        )
    points = []
    member_theme = {}
    for entry in themes:
        for member in entry["theme"].member_ids:
            member_theme[member] = entry
    step = max(1, len(run.items) // MAP_MAX_POINTS)
    for position, (item_id, item) in enumerate(run.items.items()):
        if position % step:
            continue
        entry = member_theme.get(item_id)
        x, y = (item.get("xy") or [0, 0])[:2]
        points.append(
            {
                "cx": round(50 + 46 * float(x), 2),
                "cy": round(50 - 46 * float(y), 2),
                "colour": entry["colour"] if entry else "noise",
                "label": entry["theme"].label if entry else "",
                "text": item.get("text", "")[:200],
            }
        )
    groups = []
    for group in OpinionGroup.objects.filter(run=run):
        groups.append(
            {
                "group": group,
                "number": group.position + 1,
                "statements": _once_per_text(
                    [{**_item(run, str(rep["statement"])), **rep} for rep in group.representative]
                ),
            }
        )
    opinion = run.opinion or {}
    consensus = _once_per_text([_item(run, str(s)) for s in opinion.get("consensus", [])])
    divisive = _once_per_text([_item(run, str(s)) for s in opinion.get("divisive", [])])
    return {
        "themes": themes,
        "points": points,
        "breakdowns": theme_breakdowns(run, themes, channel_labels=channel_labels, attribute_labels=attribute_labels),
        "groups": groups,
        "consensus": consensus,
        "divisive": divisive,
        "noise_count": len(run.noise_ids),
        "opinion_skipped": opinion.get("skipped", ""),
        "sentiment": run.sentiment or {},
    }


# Themes by attribute: each of the most common values of a column gets a column of the table, the rest one column
# "other values"; a theme's share of a value is marked when it is at least OVER_RATIO times the share among all
# texts, in OVER_MIN_COUNT texts or more.
BREAKDOWN_VALUES = 8
OVER_RATIO = 1.5
OVER_MIN_COUNT = 3


def theme_breakdowns(
    run: AnalysisRun,
    entries: list[dict[str, Any]],
    *,
    channel_labels: dict[str, str] | None = None,
    attribute_labels: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """How each theme's texts divide over the channels they came through (when more than one: proposals,
    comments, survey answers, each imported file by its name), over the months they were written in, and over
    each column staff chose when importing and each attribute a survey asked (age band, district …).

    ``channel_labels`` names channels by item kind or opinion-source key, ``attribute_labels`` attributes by
    their key (``participation.analysis.runs``); attributes called the same share a table (a survey's age band
    and an imported 年代 column).
    ``entries`` are ``run_review``'s themes. Per table: {"name", "values": [column headings], "total",
    "overall": [{"count", "percent"}], "rows": [{"number", "colour", "title", "total", "cells": [{"count",
    "percent", "over"}]}]}; only texts that have the value are counted (a theme without any has no row), and a
    table needs two values."""
    items = run.items or {}
    theme_of = {member: position for position, entry in enumerate(entries) for member in entry["theme"].member_ids}
    labels = channel_labels or {}
    tables = []

    def channel(item: dict[str, Any]) -> str | None:  # an imported file by its name, else the item's kind
        if item.get("source_name"):
            return item["source_name"]
        return labels.get(item.get("kind", "")) or labels.get(item.get("source", "")) or item.get("kind") or None

    tables.append(_breakdown(_("Channel"), channel, items, theme_of, entries))
    tables.append(_period_breakdown(items, theme_of, entries))
    names = attribute_labels or {}
    columns: dict[str, list[str]] = {}  # what a table is called → the attribute keys it reads
    for item in items.values():
        for key in item.get("attributes") or {}:
            keys = columns.setdefault(names.get(key, key), [])
            if key not in keys:
                keys.append(key)

    # A survey's choices read in the reader's language (the items carry the default language's label).
    translations = (run.parameters or {}).get("attribute_values") or {}
    language = (get_language() or "").split("-")[0]

    def attribute(item: dict[str, Any], keys: list[str]) -> str | None:
        values = item.get("attributes") or {}
        key = next((key for key in keys if key in values), None)
        if key is None:
            return None
        return translations.get(key, {}).get(values[key], {}).get(language) or values[key]

    for name, keys in columns.items():
        tables.append(_breakdown(name, lambda item, keys=keys: attribute(item, keys), items, theme_of, entries))
    return [table for table in tables if table]


_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _period_breakdown(items, theme_of, entries) -> dict[str, Any] | None:
    """Themes by the month the texts were written in — by quarter or year when there are more months than columns."""
    days = {day for day in (str(item.get("date") or "") for item in items.values()) if _DAY.match(day)}
    periods = [
        (_("Month"), lambda day: day[:7]),  # 2026-01
        (_("Quarter"), lambda day: f"{day[:4]}-Q{(int(day[5:7]) - 1) // 3 + 1}"),  # 2026-Q1
        (_("Year"), lambda day: day[:4]),
    ]
    name, period = next(
        ((name, period) for name, period in periods if len({period(day) for day in days}) <= BREAKDOWN_VALUES),
        periods[-1],
    )
    return _breakdown(
        name, lambda item: period(item["date"]) if item.get("date") in days else None, items, theme_of, entries
    )


def _breakdown(name, value_of, items, theme_of, entries) -> dict[str, Any] | None:
    """One table of :func:`theme_breakdowns`: ``value_of(item)`` is the item's value, None when it has none."""
    overall: Counter = Counter()
    per_theme = [Counter() for position in range(len(entries))]
    for item_id, item in items.items():
        value = value_of(item)
        if value is None:
            continue
        value = str(value).strip() or _("(blank)")
        overall[value] += 1
        if item_id in theme_of:
            per_theme[theme_of[item_id]][value] += 1
    if len(overall) < 2:
        return None
    ranked = sorted(overall, key=lambda v: (-overall[v], natural_key(v)))
    kept = ranked if len(ranked) <= BREAKDOWN_VALUES else ranked[: BREAKDOWN_VALUES - 1]
    shown = sorted(kept, key=natural_key)
    rest = ranked[len(kept) :]  # one column "other values", when there are more values than columns
    values = shown + ([_("Other values")] if rest else [])

    def folded(counts: Counter) -> list[int]:
        return [counts[v] for v in shown] + ([sum(counts[v] for v in rest)] if rest else [])

    total = sum(overall.values())
    overall_counts = folded(overall)
    overall_share = [count / total for count in overall_counts]
    rows = []
    for position, entry in enumerate(entries):
        counts = folded(per_theme[position])
        n = sum(counts)
        if not n:  # a theme of texts without this value (proposals have no 年代)
            continue
        rows.append(
            {
                "number": entry["number"],
                "colour": entry["colour"],
                "title": theme_name(entry["theme"]),
                "total": n,
                "cells": [
                    {
                        "count": count,
                        "percent": round(100 * count / n),
                        "over": count >= OVER_MIN_COUNT and count / n >= OVER_RATIO * share,
                    }
                    for count, share in zip(counts, overall_share, strict=True)
                ],
            }
        )
    return {
        "name": name,
        "values": values,
        "total": total,
        "overall": [{"count": c, "percent": round(100 * c / total)} for c in overall_counts],
        "rows": rows,
    }


EXTERNAL_PREFIX = "x"  # item ids of imported outside opinions: "x<pk>"


def external_sources(consultation_id: int):
    from ml.models import ExternalSource

    return ExternalSource.objects.filter(consultation_id=consultation_id).order_by("-created_at", "-id")


def external_items(consultation_id: int) -> list[dict[str, Any]]:
    """The imported outside opinions of a consultation as opinion-source items (``OpinionSource.items``):
    {"id": "x<pk>", "text", "url": "", "kind": "external", "source_name", "external_id", "date", "attributes"}."""
    from ml.models import ExternalOpinion

    rows = (
        ExternalOpinion.objects.filter(source__consultation_id=consultation_id)
        .select_related("source")
        .only("id", "text", "external_id", "date", "attributes", "source__name")
        .order_by("source_id", "id")
    )
    return [
        {
            "id": f"{EXTERNAL_PREFIX}{row.pk}",
            "text": row.text,
            "url": "",
            "kind": "external",
            "source_name": row.source.name,
            "external_id": row.external_id,
            "date": row.date.isoformat() if row.date else "",
            "attributes": row.attributes,
        }
        for row in rows.iterator(chunk_size=2000)
    ]


def council_report(
    run: AnalysisRun,
    *,
    title: str = "",
    channel_labels: dict[str, str] | None = None,
    attribute_labels: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Everything the one-page report for the council shows (``templates/ml/council_report.html``): the
    run's counts and overall sentiment, each theme with its title, keywords, size, share, sentiment
    shares and up to three quotes, the opinion map, and the opinion groups with their statements, consensus
    and divisive statements. Bar widths are percentages of the largest theme."""
    review = run_review(run, channel_labels=channel_labels, attribute_labels=attribute_labels)
    total = sum(entry["theme"].size for entry in review["themes"]) or 1
    largest = max((entry["theme"].size for entry in review["themes"]), default=1) or 1
    themes = []
    for entry in review["themes"]:
        theme = entry["theme"]
        themes.append(
            {
                "number": entry["number"],
                "colour": entry["colour"],
                "title": theme_name(theme),
                "label": theme.label,
                "keywords": theme.keywords[:6],
                "size": theme.size,
                "percent": round(100 * theme.size / total),
                "bar": round(100 * theme.size / largest, 1),
                "sentiment": (tone := percentages(theme.sentiment)),
                "tone_neutral_x": tone["positive"] + tone["negative"],  # where the neutral part of the bar starts
                "has_sentiment": bool(theme.sentiment),
                "quotes": entry["quotes"][:3],
                "subthemes": [theme_name(sub["theme"]) for sub in entry["subthemes"]],
            }
        )
    groups = [
        {
            "number": group["number"],
            "size": group["group"].size,
            "agree": [s for s in group["statements"] if s.get("repful_for") == "agree"][:3],
            "disagree": [s for s in group["statements"] if s.get("repful_for") == "disagree"][:3],
        }
        for group in review["groups"]
    ]
    sentiment = run.sentiment or {}
    return {
        "title": title,
        "run": run,
        "counts": run.counts or {},
        "themes": themes,
        "noise_count": review["noise_count"],
        "points": review["points"],  # the opinion map, as on the review page (x, y in 0..100, theme colour)
        "breakdowns": review["breakdowns"],
        "sentiment": percentages(sentiment.get("shares")),
        "has_sentiment": bool(sentiment.get("shares")),
        "sentiment_method": sentiment.get("method", ""),
        "groups": groups,
        "consensus": review["consensus"][:5],
        "divisive": review["divisive"][:5],
    }
