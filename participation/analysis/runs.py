"""Glue between consultations and the ``ml`` pipeline: gather texts and votes from the registered
opinion sources, run themes and opinion groups with the embedding cache, store the run.

Heavy libraries are imported inside functions: importing this module from a web process never loads
torch (only the analysis task may, and only for an English corpus with the default backend).
"""

from __future__ import annotations

import logging
import re
import time
import traceback
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_tasks import task

from participation.core import consultations
from participation.core.registry import registry

logger = logging.getLogger(__name__)
MIN_TEXTS = 5
EXTERNAL_SOURCE = "external"  # the opinion-source key of imported outside opinions (registration.py)


def consultation_items(consultation_id: int, *, exclude: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Visible texts of a consultation from every opinion source (but those keyed in ``exclude``), each
    {"id", "text", "url", "kind", "source"}."""
    items: dict[str, dict[str, Any]] = {}
    for key, source in registry.opinion_sources.items():
        if key in exclude:
            continue
        for item in source.items(consultation_id) or []:
            text = (item.get("text") or "").strip()
            if not text:
                continue
            item_id = str(item["id"])
            items.setdefault(item_id, {**item, "id": item_id, "text": text, "source": key})
    return list(items.values())


def channel_labels() -> dict[str, str]:
    """What the channel of an analysed item is called, by its ``kind`` ("proposal" → "Proposals") or, for a kind
    its opinion source does not name, by the source's registry key ("surveys" → "Survey free-text answers")."""
    labels = {key: str(source.label) for key, source in registry.opinion_sources.items()}
    for source in registry.opinion_sources.values():
        labels.update({kind: str(label) for kind, label in source.kinds.items()})
    return labels


def attribute_values(consultation_id: int) -> dict[str, dict[str, dict[str, str]]]:
    """How the analysed items' attribute values read in each language, from every opinion source that says
    (``OpinionSource.attribute_values``): {key: {value: {language code: label}}}."""
    table: dict[str, dict[str, dict[str, str]]] = {}
    for source in registry.opinion_sources.values():
        if source.attribute_values is None:
            continue
        for key, values in (source.attribute_values(consultation_id) or {}).items():
            for value, labels in values.items():
                table.setdefault(str(key), {}).setdefault(str(value), {}).update(
                    {str(language): str(label) for language, label in labels.items()}
                )
    return table


def attribute_labels() -> dict[str, str]:
    """What an analysed item's attribute is called, by its key ("age_band" → "Age band"), in the active language."""
    return {key: str(label) for source in registry.opinion_sources.values() for key, label in source.attributes.items()}


def consultation_votes(consultation_id: int) -> list[tuple[Any, ...]]:
    """(participant, statement, vote) from every opinion source, with the vote's Unix time as a fourth
    element when every source gives one (the order Polis loads a conversation in, ``ml.polis_history.polis_order``,
    takes the latest of a participant's votes on a statement; ``opinion_groups(history=True)`` could replay them)."""
    votes: list[tuple[Any, ...]] = []
    for source in registry.opinion_sources.values():
        for participant, statement, vote, *when in source.votes(consultation_id) or []:
            votes.append((participant, str(statement), int(vote), *[float(t) for t in when[:1]]))
    if votes and any(len(vote) == 3 for vote in votes):
        votes = [vote[:3] for vote in votes]
    return votes


def canonical_consultation_id(consultation_id: int) -> int | None:
    """The default-language page id of a consultation (None when it does not exist)."""
    return consultations.canonical_id(consultation_id)


MAX_STOP_TERMS = 200
MAX_STOP_TERM_CHARS = 40


def parse_stop_terms(value: str | list[str] | tuple[str, ...] | None) -> list[str]:
    """Words staff never want as keywords (district and place names): one per line or separated by commas
    (、 and ， too); duplicates and blanks dropped, order kept."""
    if not value:
        return []
    parts = value if isinstance(value, list | tuple) else re.split(r"[,\n、，]+", value)
    return list(dict.fromkeys(term.strip() for term in parts if term and term.strip()))


def analysis_start(
    *,
    consultation_id: int,
    user=None,
    themes: int | None = None,
    sublevel: bool = True,
    stop_terms: str | list[str] | tuple[str, ...] | None = None,
):
    """Queue an analysis of a consultation (refused while one is queued or running) and enqueue its task.

    ``stop_terms`` (e.g. the consultation's district and place names) never become keywords or titles' keywords.
    """
    from ml.services import run_create

    if themes is not None and not 2 <= themes <= 30:
        raise ValidationError(
            {"themes": _("Choose between 2 and 30 themes, or leave it empty to choose automatically.")}
        )
    terms = parse_stop_terms(stop_terms)
    if len(terms) > MAX_STOP_TERMS or any(len(term) > MAX_STOP_TERM_CHARS for term in terms):
        raise ValidationError(
            {
                "stop_terms": _("Enter at most %(count)d words of at most %(chars)d characters each.")
                % {"count": MAX_STOP_TERMS, "chars": MAX_STOP_TERM_CHARS}
            }
        )
    parameters = {
        "backend": settings.ML_EMBEDDING_BACKEND,
        "model": settings.ML_EMBEDDING_MODEL,
        "themes": themes,
        "sublevel": sublevel,
        "seed": 0,
        "stop_terms": terms,
    }
    run = run_create(consultation_id=consultation_id, parameters=parameters, user=user)
    transaction.on_commit(lambda: run_analysis.enqueue(run.pk))
    return run


def analysis_execute(*, run_id: int):
    """The work of one run (called by the task): themes of the texts, opinion groups of the votes."""
    from ml.cache import CacheStats, cached_embed
    from ml.models import AnalysisRun
    from ml.services import run_fail, run_mark_running, run_progress, run_store_results

    run = AnalysisRun.objects.get(pk=run_id)
    if run.status != AnalysisRun.Status.QUEUED:
        return run
    run_mark_running(run=run)
    try:
        return _execute(run, CacheStats(), cached_embed, run_progress, run_store_results)
    except Exception as exc:  # the run records why; earlier successful runs stay visible
        logger.exception("analysis run %s failed", run.pk)
        message = str(exc) if isinstance(exc, ValidationError | ValueError) else f"{type(exc).__name__}: {exc}"
        run_fail(run=run, error=message or traceback.format_exc(limit=1))
        return run


def _execute(run, stats, cached_embed, run_progress, run_store_results):
    from ml.opinion_groups import opinion_groups
    from ml.pipeline import analyse_texts

    params = run.parameters or {}
    started = time.perf_counter()
    run_progress(run=run, progress=2, stage="gather")
    items = consultation_items(run.consultation_id)
    if len(items) < MIN_TEXTS:
        raise ValidationError(_("Too few texts to analyse (at least %(count)d are needed).") % {"count": MIN_TEXTS})

    def progress(percent: int, stage: str) -> None:
        run_progress(run=run, progress=5 + int(percent * 0.8), stage=stage)

    embed_holder = {}

    def wrap(embedder):
        embed_holder["fn"] = cached_embed(embedder, stats)
        return embed_holder["fn"]

    result = analyse_texts(
        [item["text"] for item in items],
        backend=params.get("backend") or settings.ML_EMBEDDING_BACKEND,
        model=params.get("model") or settings.ML_EMBEDDING_MODEL,
        threads=settings.ML_TORCH_THREADS,
        wrap_embed=wrap,
        k=params.get("themes"),
        seed=int(params.get("seed") or 0),
        sublevel=bool(params.get("sublevel", True)),
        stop_terms=tuple(params.get("stop_terms") or ()),
        progress=progress,
    )
    ids = [item["id"] for item in items]
    coords = result["coords"]
    text_sentiment = result["sentiment"]["texts"]
    snapshot = {}
    for index, item in enumerate(items):
        snapshot[item["id"]] = {
            "text": item["text"][:1000],
            "url": item.get("url", ""),
            "kind": item.get("kind", ""),
            "source": item.get("source", ""),  # the opinion source's registry key: its channel in the review
            "xy": coords[index],
            "theme": result["labels"][index],
            "themes": result["themes_of"][index],  # every theme the text's opinion units fall in
            "sentiment": text_sentiment[index],
            # for the themes-by-channel, period and attribute tables: the day it was written, and of an imported row
            # the file's name and the columns staff chose
            **({"source_name": item["source_name"][:200]} if item.get("source_name") else {}),
            **({"date": str(item["date"])[:10]} if item.get("date") else {}),
            **(
                {"attributes": {str(k)[:100]: str(v)[:100] for k, v in item["attributes"].items()}}
                if item.get("attributes")
                else {}
            ),
        }
    themes = []
    for theme in result["themes"]:
        themes.append(
            {
                **theme,
                "members": [ids[i] for i in theme["members"]],
                "also": [ids[i] for i in theme.get("also", [])],
                "representatives": [ids[i] for i in theme["representatives"]],
                "coords": [coords[i] for i in theme["members"]],
                "subthemes": [
                    {
                        **sub,
                        "members": [ids[i] for i in sub["members"]],
                        "representatives": [ids[i] for i in sub["representatives"]],
                    }
                    for sub in theme["subthemes"]
                ],
            }
        )

    run_progress(run=run, progress=88, stage="opinion groups")
    groups, opinion = [], {}
    votes = consultation_votes(run.consultation_id)
    counts = {
        "texts": len(items),
        "themes": len(themes),
        "noise": len(result["noise"]),
        "units": len(result["units"]["texts"]),
        "embedded_new": stats.embedded,
        "embedding_cache_hits": stats.hits,
        "votes": len(votes),
        "groups": 0,
    }
    shown = [88]

    def group_progress(percent: int, stage: str) -> None:  # 88 → 97 % while the groups are computed
        if 88 + percent // 10 > shown[0]:  # forward only
            shown[0] = 88 + percent // 10
            run_progress(run=run, progress=shown[0], stage="opinion groups")

    if votes:
        try:
            grouped = opinion_groups(votes, seed=int(params.get("seed") or 0), progress=group_progress)
        except ValueError as exc:
            opinion = {"skipped": str(exc)}
        else:
            groups = grouped["groups"]
            opinion = {
                key: grouped[key]
                for key in ("consensus", "divisive", "consensus_detail", "divisive_detail", "k_scores", "params")
            }
            counts["groups"] = len(groups)
            counts["voters"] = grouped["params"]["participants_in_conversation"]
    timings = dict(result["timings"])
    timings["all"] = round(time.perf_counter() - started, 4)
    run.parameters = {**params, "lang": result["lang"], "backend_used": result["backend"]}
    translations = attribute_values(run.consultation_id)
    if translations:  # the themes-by tables name a survey's choices in the reader's language
        run.parameters["attribute_values"] = translations
    return run_store_results(
        run=run,
        themes=themes,
        items=snapshot,
        noise_ids=[ids[i] for i in result["noise"]],
        groups=groups,
        opinion=opinion,
        model=result["model"],
        timings=timings,
        counts=counts,
        sentiment={"method": result["sentiment"]["method"], "shares": result["sentiment"]["shares"]},
    )


@task()
def run_analysis(run_id: int) -> None:
    """Embed, cluster and store one queued analysis run; progress is written to the run row."""
    analysis_execute(run_id=run_id)
