"""What the public sees of an analysis once staff publish its summary: quotes of the themes (only from
texts still visible on the site) and the open-data table of themes with their sentiment shares."""

from __future__ import annotations

from typing import Any

from participation.analysis.runs import EXTERNAL_SOURCE, consultation_items
from participation.core.registry import registry

PUBLIC_QUOTES_PER_THEME = 2


def public_quotes(consultation_id: int, run_id: int | None, *, themes=None) -> list[list[dict[str, Any]]]:
    """Per top-level theme of the run (in order), up to PUBLIC_QUOTES_PER_THEME quotes {"quote", "url",
    "sentiment"} whose text residents posted on this site and which is still visible now.

    Imported outside opinions (public-comment letters, inquiry logs) are never quoted in public: their
    writers did not post them here. A text hidden, withdrawn or deleted after the analysis is not quoted.
    """
    from ml.models import Theme

    if not run_id:
        return []
    if themes is None:  # the run's top-level themes (a caller that read them already passes them)
        themes = list(Theme.objects.filter(run_id=run_id, parent=None).only("quotes"))
    wanted = {str(q.get("id")) for theme in themes for q in theme.quotes or []}
    if not wanted:
        return [[] for _theme in themes]
    visible = visible_items(consultation_id, wanted)
    result = []
    for theme in themes:
        quotes = []
        for quote in theme.quotes or []:
            item = visible.get(str(quote.get("id")))
            if item is None or not quote.get("quote"):
                continue
            quotes.append({"quote": quote["quote"], "url": item["url"], "sentiment": quote.get("sentiment", "")})
            if len(quotes) == PUBLIC_QUOTES_PER_THEME:
                break
        result.append(quotes)
    return result


def visible_items(consultation_id: int, wanted: set[str]) -> dict[str, dict[str, Any]]:
    """{id: {"id", "url"}} of those of ``wanted`` that residents posted here and that are still visible. Each
    opinion source that can answers for the ids alone (``OpinionSource.visible``: a query by primary key);
    one that cannot lists its visible items."""
    found: dict[str, dict[str, Any]] = {}
    for key, source in registry.opinion_sources.items():
        if key == EXTERNAL_SOURCE:
            continue
        if source.visible is not None:
            for item_id, url in source.visible(consultation_id, set(wanted)).items():
                if url:
                    found.setdefault(str(item_id), {"id": str(item_id), "url": url})
            continue
        for item in source.items(consultation_id) or []:
            item_id = str(item["id"])
            if item_id in wanted and item.get("kind") != "external" and item.get("url") and (item.get("text") or "").strip():
                found.setdefault(item_id, {"id": item_id, "url": item["url"]})
    return found


def published_theme_rows():
    """Open data: one row per top-level theme of each published summary's run (see THEME_FIELDS)."""
    from ml.models import Summary, Theme
    from ml.selectors import theme_name
    from ml.sentiment import percentages

    summaries = (
        Summary.objects.filter(published_at__isnull=False, run__isnull=False)
        .select_related("run")
        .order_by("consultation_id")
    )
    for summary in summaries:
        themes = list(Theme.objects.filter(run_id=summary.run_id, parent=None))
        total = sum(theme.size for theme in themes) or 1
        for number, theme in enumerate(themes, start=1):
            tone = percentages(theme.sentiment)  # the three add up to 100
            yield {
                "consultation_id": summary.consultation_id,
                "theme": number,
                "title": theme_name(theme),
                "keywords": " ".join(theme.keywords[:10]),
                "opinions": theme.size,
                "share_percent": round(100 * theme.size / total),
                **{
                    f"{label}_percent": tone[label] if theme.sentiment else ""
                    for label in ("positive", "negative", "neutral")
                },
                "analysed_at": summary.run.finished_at,
                "published_at": summary.published_at,
            }


def published_opinion_rows():
    """Open data: per text of a published analysis that residents posted on this site and that is still
    visible, its main theme number and its sentiment (imported outside opinions are never listed)."""
    from ml.models import Summary, Theme

    summaries = (
        Summary.objects.filter(published_at__isnull=False, run__isnull=False)
        .select_related("run")
        .order_by("consultation_id")
    )
    for summary in summaries:
        run = summary.run
        number = {}
        for position, theme in enumerate(Theme.objects.filter(run=run, parent=None).only("member_ids"), start=1):
            for member in theme.member_ids:
                number[member] = position
        for item in consultation_items(summary.consultation_id, exclude=(EXTERNAL_SOURCE,)):
            stored = (run.items or {}).get(item["id"])
            if stored is None:  # posted after the analysis
                continue
            yield {
                "consultation_id": summary.consultation_id,
                "kind": item.get("kind", ""),
                "id": item["id"],
                "url": item.get("url", ""),
                "theme": number.get(item["id"], ""),
                "sentiment": stored.get("sentiment", ""),
            }
