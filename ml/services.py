"""Writes on analysis results: runs, themes, summaries. Callers check permissions first."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ml.models import AnalysisRun, ExternalOpinion, ExternalSource, ImportJob, OpinionGroup, Summary, Theme

logger = logging.getLogger(__name__)

STALE_AFTER = timedelta(hours=3)


def run_create(*, consultation_id: int, parameters: dict[str, Any] | None = None, user=None) -> AnalysisRun:
    """A queued run; refuses when the consultation already has one queued or running (DB constraint)."""
    stale = timezone.now() - STALE_AFTER
    with transaction.atomic():
        # A worker that died leaves its run active; after STALE_AFTER it no longer blocks new runs.
        AnalysisRun.objects.filter(
            consultation_id=consultation_id, status__in=AnalysisRun.ACTIVE, created_at__lt=stale
        ).update(
            status=AnalysisRun.Status.FAILED, error="abandoned (no progress for hours)", finished_at=timezone.now()
        )
    try:
        with transaction.atomic():
            return AnalysisRun.objects.create(
                consultation_id=consultation_id,
                parameters=parameters or {},
                started_by=user if getattr(user, "pk", None) else None,
            )
    except IntegrityError:
        raise ValidationError(
            _("An analysis of this consultation is already running."), code="already_running"
        ) from None


def run_progress(*, run: AnalysisRun, progress: int, stage: str) -> None:
    progress = max(0, min(100, int(progress)))
    AnalysisRun.objects.filter(pk=run.pk).update(progress=progress, stage=stage[:40])
    run.progress, run.stage = progress, stage[:40]


def run_mark_running(*, run: AnalysisRun) -> None:
    AnalysisRun.objects.filter(pk=run.pk).update(
        status=AnalysisRun.Status.RUNNING, started_at=timezone.now(), progress=1, stage="start"
    )
    run.refresh_from_db()


def run_fail(*, run: AnalysisRun, error: str) -> None:
    AnalysisRun.objects.filter(pk=run.pk).update(
        status=AnalysisRun.Status.FAILED, error=error[:2000], finished_at=timezone.now()
    )
    run.refresh_from_db()


@transaction.atomic
def run_store_results(
    *,
    run: AnalysisRun,
    themes: list[dict[str, Any]],
    items: dict[str, dict[str, Any]],
    noise_ids: list[str],
    groups: list[dict[str, Any]],
    opinion: dict[str, Any],
    model: str,
    timings: dict[str, float],
    counts: dict[str, int],
    sentiment: dict[str, Any] | None = None,
) -> AnalysisRun:
    """Themes (with sub-themes), opinion groups and the run's metadata, in one transaction.

    A theme's optional ``title``, ``also`` (item ids), ``quotes`` ([{"id", "quote", "sentiment"}]) and
    ``sentiment`` (shares) are stored when given (ml.pipeline returns them with text indices: the caller
    maps indices to item ids as for ``members``).
    """
    for position, theme in enumerate(themes):
        parent = Theme.objects.create(
            run=run,
            position=position,
            label=theme["label"][:200],
            generated_label=theme["label"][:200],
            keywords=theme["keywords"],
            size=theme["size"],
            member_ids=theme["members"],
            representative_ids=theme["representatives"],
            coords=theme.get("coords", []),
            **_extras(theme),
        )
        for sub_position, sub in enumerate(theme.get("subthemes", [])):
            Theme.objects.create(
                run=run,
                parent=parent,
                position=sub_position,
                label=sub["label"][:200],
                generated_label=sub["label"][:200],
                keywords=sub["keywords"],
                size=sub["size"],
                member_ids=sub["members"],
                representative_ids=sub["representatives"],
                **_extras(sub),
            )
    OpinionGroup.objects.bulk_create(
        OpinionGroup(
            run=run, position=g["id"], size=len(g["members"]), member_ids=g["members"], representative=g["repness"]
        )
        for g in groups
    )
    run.items = items
    run.noise_ids = noise_ids
    run.opinion = opinion
    run.sentiment = sentiment or {}
    run.model = model[:200]
    run.timings = timings
    run.counts = counts
    run.status = AnalysisRun.Status.SUCCEEDED
    run.progress = 100
    run.stage = "done"
    run.finished_at = timezone.now()
    run.save()
    return run


def _extras(theme: dict[str, Any]) -> dict[str, Any]:
    """Title, also-members, quotes and sentiment of a theme from ml.pipeline, as stored.

    The pipeline's quotes are aligned with its representatives (quote i is an opinion unit of
    representative i), so a quote takes the item id of its representative whatever the caller mapped;
    ``also`` entries are stored only once mapped to item ids (strings), as ``members`` are.
    """
    representatives = list(theme.get("representatives") or [])
    quotes = []
    for position, quote in enumerate(theme.get("quotes") or []):
        item_id = quote.get("id", representatives[position] if position < len(representatives) else None)
        if item_id is None:
            continue
        quotes.append({"id": str(item_id), "quote": quote.get("quote", ""), "sentiment": quote.get("sentiment", "")})
    return {
        "title": (theme.get("title") or "")[:300],
        "also_ids": [i for i in theme.get("also") or [] if isinstance(i, str)],
        "quotes": quotes,
        "sentiment": dict(theme.get("sentiment") or {}),
    }


def theme_rename(*, theme: Theme, label: str) -> Theme:
    label = (label or "").strip()
    if not label:
        raise ValidationError({"label": _("Enter a name for the theme.")})
    if len(label) > 200:
        raise ValidationError({"label": _("A theme name can have at most 200 characters.")})
    theme.label = label
    theme.save(update_fields=["label"])
    return theme


@transaction.atomic
def theme_merge(*, target: Theme, other: Theme) -> Theme:
    """Move ``other``'s members into ``target`` (same run, both top-level) and delete ``other``."""
    if target.pk == other.pk:
        raise ValidationError(_("Choose two different themes to merge."))
    if target.run_id != other.run_id or target.parent_id or other.parent_id:
        raise ValidationError(_("Only top-level themes of the same analysis can be merged."))
    target = Theme.objects.select_for_update().get(pk=target.pk)
    other = Theme.objects.select_for_update().get(pk=other.pk)
    known = set(target.member_ids)
    for member, xy in zip(other.member_ids, other.coords or [None] * len(other.member_ids), strict=False):
        if member not in known:
            target.member_ids.append(member)
            if target.coords is not None and xy is not None:
                target.coords.append(xy)
    target.size = len(target.member_ids)
    reps = list(dict.fromkeys(target.representative_ids + other.representative_ids))
    target.representative_ids = reps[:5]
    target.keywords = list(dict.fromkeys(target.keywords + other.keywords))[:10]
    members = set(target.member_ids)
    target.also_ids = [i for i in dict.fromkeys(target.also_ids + other.also_ids) if i not in members]
    target.quotes = (target.quotes + other.quotes)[:5]
    if target.sentiment or other.sentiment:  # shares weighted by the themes' sizes before the merge
        before = max(1, target.size - len(other.member_ids))
        target.sentiment = {
            label: round(
                (target.sentiment.get(label, 0.0) * before + other.sentiment.get(label, 0.0) * other.size)
                / max(1, before + other.size),
                3,
            )
            for label in ("positive", "negative", "neutral")
        }
    target.save()
    other.subthemes.update(parent=target)
    other.delete()
    run = target.run
    for item_id in target.member_ids:
        if item_id in run.items:
            run.items[item_id]["theme"] = target.pk
    run.save(update_fields=["items"])
    return target


def summary_save(
    *, consultation_id: int, text: str, run: AnalysisRun | None, user=None, text_en: str | None = None
) -> Summary:
    """Save the summary (Japanese) and, when given, its English version (``None`` keeps the English as it is)."""
    text = (text or "").strip()
    text_en = None if text_en is None else text_en.strip()
    for field, value in (("text", text), ("text_en", text_en or "")):
        if len(value) > 20000:
            raise ValidationError({field: _("The summary can have at most 20,000 characters.")})
    summary, _created = Summary.objects.get_or_create(consultation_id=consultation_id)
    summary.text = text
    if text_en is not None:
        summary.text_en = text_en
    if run is not None:
        summary.run = run
    summary.updated_by = user if getattr(user, "pk", None) else None
    summary.save()
    return summary


def summary_publish(*, summary: Summary, publish: bool, user=None) -> Summary:
    if publish and not summary.text.strip():
        raise ValidationError(_("Write a summary before publishing it."))
    if publish and summary.run is None:
        raise ValidationError(_("Publish a summary together with a finished analysis."))
    summary.published_at = timezone.now() if publish else None
    summary.updated_by = user if getattr(user, "pk", None) else None
    summary.save(update_fields=["published_at", "updated_by", "updated_at"])
    return summary


IMPORT_BATCH = 2000


def external_import(
    *,
    consultation_id: int,
    name: str,
    data: bytes,
    filename: str,
    text_column: str,
    title_column: str | None = None,
    id_column: str | None = None,
    date_column: str | None = None,
    attribute_columns: list[str] | tuple[str, ...] = (),
    user=None,
    progress=None,
) -> ExternalSource:
    """Import a CSV / xlsx file of outside opinions for a consultation: every row or none (one transaction).

    Bad input (encoding, missing column, no rows, too many rows, duplicate ids, bad dates) raises
    ValidationError with a message for staff (ml/importing.py) and stores nothing. ``progress(percent,
    stage)`` is told how far it got (read 10, checked 30, then stored rows up to 100).
    """
    report = progress or (lambda percent, stage: None)
    from ml.importing import TableError, pick_opinions, read_table

    name = (name or "").strip() or (filename or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the imported opinions a name.")})
    if len(name) > 200:
        raise ValidationError({"name": _("The name can have at most 200 characters.")})
    try:
        report(2, "read")
        table = read_table(data, filename)
        report(10, "check")
        opinions = pick_opinions(
            table,
            text_column=text_column,
            title_column=title_column or None,
            id_column=id_column or None,
            date_column=date_column or None,
            attribute_columns=list(attribute_columns or ()),
        )
    except TableError as error:
        raise ValidationError(str(error)) from error
    report(30, "store")
    with transaction.atomic():
        source = ExternalSource.objects.create(
            consultation_id=consultation_id,
            name=name,
            filename=(filename or "")[:255],
            kind=table.kind,
            encoding=table.encoding,
            columns={
                "text": text_column,
                "title": title_column or "",
                "id": id_column or "",
                "date": date_column or "",
                "attributes": list(attribute_columns or ()),
            },
            rows=len(opinions.items),
            skipped_empty=opinions.skipped_empty,
            truncated=opinions.truncated,
            uploaded_by=user if getattr(user, "pk", None) else None,
        )
        for start in range(0, len(opinions.items), IMPORT_BATCH):
            ExternalOpinion.objects.bulk_create(
                ExternalOpinion(
                    source=source,
                    external_id=item["id"],
                    text=item["text"],
                    date=item["date"] or None,
                    attributes=item["attributes"],
                    line=item["line"],
                )
                for item in opinions.items[start : start + IMPORT_BATCH]
            )
            done = min(len(opinions.items), start + IMPORT_BATCH)
            report(30 + int(69 * done / max(1, len(opinions.items))), "store")
    return source


IMPORT_PROGRESS_KEY = "ml:import-job:{}"


def import_job_create(
    *, consultation_id: int, name: str, filename: str, path: str, parameters: dict[str, Any], user=None
) -> ImportJob:
    """A queued import of an uploaded file (``path`` in default storage) with the columns staff chose."""
    return ImportJob.objects.create(
        consultation_id=consultation_id,
        name=(name or filename or "").strip()[:200],
        filename=(filename or "")[:255],
        path=path,
        parameters=parameters,
        created_by=user if getattr(user, "pk", None) else None,
    )


def import_job_progress(job: ImportJob) -> tuple[int, str]:
    """(percent, stage) of a job: live from the cache while it runs (its rows are written inside one
    transaction, invisible to other connections until the end), otherwise from the job row."""
    from django.core.cache import cache

    if job.status == ImportJob.Status.RUNNING:
        try:
            live = cache.get(IMPORT_PROGRESS_KEY.format(job.pk))
        except Exception:  # a cache that is down only costs the live figure
            live = None
        if live:
            return int(live[0]), str(live[1])
    return job.progress, job.stage


def import_job_execute(*, job_id: int, read_file, remove_file) -> ImportJob:
    """Run a queued import (called by the task): ``external_import`` with live progress. On bad input the
    job records the staff message and nothing is stored; the uploaded file is removed either way."""
    from django.core.cache import cache

    job = ImportJob.objects.get(pk=job_id)
    if job.status != ImportJob.Status.QUEUED:
        return job
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, progress=1, stage="read")
    job.refresh_from_db()
    key = IMPORT_PROGRESS_KEY.format(job.pk)

    def progress(percent: int, stage: str) -> None:
        try:
            cache.set(key, (percent, stage), timeout=3600)
        except Exception:  # progress is a courtesy; the import goes on without it
            logger.debug("import job %s: progress not cached", job_id)

    params = job.parameters or {}
    try:
        data = read_file(job.path)
        source = external_import(
            consultation_id=job.consultation_id,
            name=job.name,
            data=data,
            filename=job.filename,
            text_column=params.get("text_column", ""),
            title_column=params.get("title_column") or None,
            id_column=params.get("id_column") or None,
            date_column=params.get("date_column") or None,
            attribute_columns=params.get("attribute_columns") or [],
            user=job.created_by,
            progress=progress,
        )
    except ValidationError as exc:
        job.status, job.error = ImportJob.Status.FAILED, " ".join(exc.messages)
    except OSError:
        job.status, job.error = ImportJob.Status.FAILED, _("The uploaded file is no longer available. Upload it again.")
    except Exception as exc:  # recorded for staff; nothing was stored (one transaction)
        logger.exception("import job %s failed", job.pk)
        job.status, job.error = (
            ImportJob.Status.FAILED,
            _("The import failed: %(error)s") % {"error": type(exc).__name__},
        )
    else:
        job.status, job.source, job.progress, job.stage = ImportJob.Status.DONE, source, 100, "done"
    finally:
        try:
            remove_file(job.path)
        except OSError:
            logger.warning("could not delete the import file %s", job.path)
        try:
            cache.delete(key)
        except Exception:  # the entry expires by itself
            logger.debug("import job %s: progress entry not deleted", job_id)
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "source", "progress", "stage", "finished_at"])
    return job


def external_delete(*, source: ExternalSource) -> None:
    source.delete()
