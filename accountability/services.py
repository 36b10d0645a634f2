"""Writes for results: create, edit, timeline updates, links to proposals and reports, follows.

Shape of each service: check the permission name → validate (``validation.py``) → one transaction
(write, recompute the stored progress up the parent chain, record the public history, notify) →
events published after commit. Errors: ``ValidationError`` (bad input, nothing stored) or
``PermissionDenied``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accountability import validation
from accountability.models import (
    TEXT_MAX,
    TITLE_MAX,
    Result,
    ResultEvent,
    ResultFollow,
    ResultPlace,
    ResultProposal,
    ResultReport,
    ResultStatus,
)
from participation.accounts.notifications import notification_send
from participation.core.errors import require
from participation.core.events import publish
from participation.core.i18n import localized
from participation.core.text import plain_text

EVENT_RESULT_CHANGED = "accountability.result_changed"
TRACKED = ("status", "progress", "start_date", "end_date")


# --- progress -------------------------------------------------------------------------------


def own_progress(result: Result) -> int:
    """The progress a result shows by itself: the staff override, else its status's default."""
    if result.progress_override is not None:
        return result.progress_override
    return result.status.default_progress


def rolled_up_progress(result: Result) -> int:
    """Children's stored progress weighted by their ``weight``; the own progress when there are none
    (or all weights are 0)."""
    children = list(Result.objects.filter(parent_id=result.pk).values_list("progress", "weight"))
    total_weight = sum(w for _p, w in children)
    if not children or total_weight == 0:
        return own_progress(result)
    return round(sum(p * w for p, w in children) / total_weight)


def result_progress_refresh(result: Result) -> list[Result]:
    """Recompute the stored progress of the result and then of each ancestor; returns them (result first)."""
    touched = []
    node: Result | None = result
    seen: set[int] = set()
    while node is not None and node.pk not in seen:
        seen.add(node.pk)
        node = Result.objects.select_related("status", "department").select_for_update(of=("self",)).get(pk=node.pk)
        value = rolled_up_progress(node)
        if value != node.progress:
            Result.objects.filter(pk=node.pk).update(progress=value)
            node.progress = value
        touched.append(node)
        node = node.parent
    return touched


# --- public history -------------------------------------------------------------------------


def tracked_state(result: Result) -> dict[str, Any]:
    return {
        "status": result.status.key,
        "progress": result.progress,
        "start_date": result.start_date.isoformat() if result.start_date else None,
        "end_date": result.end_date.isoformat() if result.end_date else None,
    }


def _changes(result: Result) -> dict[str, list]:
    before = result.recorded_state or {}
    now = tracked_state(result)
    if not before:
        return {}
    return {key: [before.get(key), now[key]] for key in TRACKED if before.get(key) != now[key]}


def _event(result: Result, *, kind: str, actor, text: str = "", changes: dict | None = None,
           photo=None) -> ResultEvent:
    department = result.department
    event = ResultEvent(
        result=result, kind=kind, text=text, changes=changes or {}, actor=actor,
        department=department.name if department else "", department_en=department.name_en if department else "",
    )
    if photo is not None:
        event.image.save(f"r.{photo.extension}", ContentFile(photo.image_bytes), save=False)
        event.thumbnail.save(f"r-thumb.{photo.extension}", ContentFile(photo.thumbnail_bytes), save=False)
    event.save()
    return event


def result_record_changes(result: Result, *, actor, kind: str = ResultEvent.Kind.CHANGE, text: str = "",
                          photo=None, notify: bool = True) -> ResultEvent | None:
    """After any write: refresh progress up the chain and keep every change of status, progress or
    dates as public history (the directly changed result, then ancestors whose roll-up moved)."""
    first_event = None
    for index, node in enumerate(result_progress_refresh(result)):
        is_new = not node.recorded_state
        changes = _changes(node)
        own_entry = index == 0 and (text or photo is not None)
        if is_new:
            event = _event(node, kind=ResultEvent.Kind.CREATED, actor=actor, text=text if index == 0 else "",
                           photo=photo if index == 0 else None,
                           changes={"status": [None, node.status.key], "progress": [None, node.progress]})
        elif changes or own_entry:
            event = _event(node, kind=kind if index == 0 else ResultEvent.Kind.CHANGE, actor=actor,
                           text=text if index == 0 else "", photo=photo if index == 0 else None, changes=changes)
        else:
            event = None
        Result.objects.filter(pk=node.pk).update(recorded_state=tracked_state(node), updated_at=timezone.now())
        node.recorded_state = tracked_state(node)
        if index == 0:
            first_event = event
            if event is not None and notify and not is_new:
                _notify(node, event, actor=actor)
        publish(EVENT_RESULT_CHANGED, result_id=node.pk, consultation_id=node.consultation_id)
    result.refresh_from_db()
    return first_event


# --- notifications --------------------------------------------------------------------------


def result_audience(result: Result) -> list:
    """Authors of the linked visible proposals, their followers (following is the opt-in; supporters
    who want news follow the proposal or the result), and followers of the result."""
    from proposals.models import Follow, Proposal

    proposal_ids = list(
        Proposal.objects.visible().filter(result_links__result=result).values_list("pk", flat=True)
    )
    users = {}
    for proposal in Proposal.objects.filter(pk__in=proposal_ids).select_related("author"):
        users[proposal.author_id] = proposal.author
    for follow in Follow.objects.filter(proposal_id__in=proposal_ids).select_related("user"):
        users[follow.user_id] = follow.user
    for follow in ResultFollow.objects.filter(result=result).select_related("user"):
        users[follow.user_id] = follow.user
    return list(users.values())


def _notify(result: Result, event: ResultEvent, *, actor) -> int:
    title = result.title
    title_en = result.title_en

    def message():
        name = localized(title, title_en)
        if "status" in event.changes:
            status = ResultStatus.objects.filter(key=event.changes["status"][1]).first()
            return _("“%(title)s” is now: %(status)s (%(progress)s%%)") % {
                "title": name[:100], "status": status.localized_name if status else "",
                "progress": result.progress}
        return _("News on “%(title)s”: progress %(progress)s%%") % {"title": name[:100], "progress": result.progress}

    return notification_send(recipients=result_audience(result), verb="accountability.result_updated",
                             message_factory=message, url=result.get_absolute_url(), exclude=actor)


# --- create and edit ------------------------------------------------------------------------


def _clean_title(value, *, field="title", required=True) -> str:
    text = plain_text(value)
    if required and not text:
        raise ValidationError({field: [_("Please enter a title.")]})
    if len(text) > TITLE_MAX:
        raise ValidationError({field: [_("A title can have at most %(max)d characters.") % {"max": TITLE_MAX}]})
    return text


def _clean_long(value, *, field: str) -> str:
    text = plain_text(value)
    if len(text) > TEXT_MAX:
        raise ValidationError({field: [_("This text can have at most %(max)d characters.") % {"max": TEXT_MAX}]})
    return text


def _visible_proposals(ids: Iterable[int]):
    from proposals.models import Proposal

    found = []
    for pk in ids:
        proposal = Proposal.objects.select_related("author").filter(pk=pk).first()
        if proposal is None:
            raise ValidationError({"proposals": [_("There is no proposal #%(n)s.") % {"n": pk}]})
        validation.check_proposal_linkable(proposal)
        found.append(proposal)
    return found


RESULT_FIELDS = ("title", "title_en", "description", "description_en", "category", "department", "status",
                 "progress_override", "start_date", "end_date", "budget_planned", "budget_spent", "parent",
                 "weight", "external_id")


def _apply_fields(result: Result, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        if name not in RESULT_FIELDS:
            raise ValueError(f"unknown result field {name}")
        if name in ("title",):
            value = _clean_title(value)
        elif name == "title_en":
            value = _clean_title(value, field="title_en", required=False)
        elif name in ("description", "description_en"):
            value = _clean_long(value, field=name)
        elif name == "progress_override":
            value = validation.check_progress(value, field="progress_override")
        elif name == "external_id":
            value = (str(value).strip() or None) if value is not None else None
        setattr(result, name, value)
    validation.check_result_fields(result)


def result_create(*, actor, consultation=None, status: ResultStatus, title: str, proposals: Iterable[int] = (),
                  places: Iterable[tuple[str, float, float]] = (), text: str = "", **fields: Any) -> Result:
    """Publish a result (in a consultation or city-wide), optionally answering proposals."""
    require(actor, "accountability.change_result", None, _("Only city staff can publish results."))
    result = Result(consultation=consultation.canonical if consultation is not None else None, status=status)
    _apply_fields(result, {"title": title, **fields})
    linked = _visible_proposals(proposals)
    clean_places = [(plain_text(label)[:120], *validation.check_place(lat, lon)) for label, lat, lon in places]
    with transaction.atomic():
        result.save()
        for proposal in linked:
            ResultProposal.objects.create(result=result, proposal=proposal)
        for label, lat, lon in clean_places:
            ResultPlace.objects.create(result=result, label=label, latitude=lat, longitude=lon)
        result_record_changes(result, actor=actor, text=_clean_long(text, field="text"))
    return result


def result_update(*, result: Result, actor, **fields: Any) -> Result:
    """Change a result's fields; changes of status, progress or dates become public history."""
    require(actor, "accountability.change_result", result, _("Only city staff can change results."))
    with transaction.atomic():
        locked = Result.objects.select_for_update(of=("self",)).select_related("status", "department").get(pk=result.pk)
        _apply_fields(locked, fields)
        locked.save()
        result_record_changes(locked, actor=actor)
    result.refresh_from_db()
    return result


def result_post_update(*, result: Result, actor, text: str = "", photo=None, progress=None,
                       status: ResultStatus | None = None) -> ResultEvent:
    """A dated timeline entry: text, an optional photo (through the shared photo pipeline, before
    anything is stored), an optional new progress and status. Followers are notified."""
    require(actor, "accountability.change_result", result, _("Only city staff can post updates."))
    body = _clean_long(text, field="text")
    new_progress = validation.check_progress(progress, field="progress")
    processed = None
    if photo:
        from participation.core.photos import process_photo

        processed = process_photo(photo)
    if not body and processed is None and new_progress is None and status is None:
        raise ValidationError({"text": [_("Write an update, add a photo or change the progress.")]})
    if new_progress is not None and result.children.exists():
        raise ValidationError({"progress": [_("This result's progress comes from its child results; update those.")]})
    with transaction.atomic():
        locked = Result.objects.select_for_update(of=("self",)).select_related("status", "department").get(pk=result.pk)
        if status is not None:
            locked.status = status
            if new_progress is None:
                locked.progress_override = None  # the new status's default applies
        if new_progress is not None:
            locked.progress_override = new_progress
        locked.save()
        event = result_record_changes(locked, actor=actor, kind=ResultEvent.Kind.UPDATE, text=body, photo=processed)
    result.refresh_from_db()
    return event


def result_admin_saved(*, result: Result, actor) -> None:
    """After a save in the Wagtail admin (its form ran ``clean()``): progress and public history."""
    with transaction.atomic():
        result_record_changes(Result.objects.select_related("status", "department").get(pk=result.pk), actor=actor)
        if result.parent_id:
            pass  # the chain walk above already refreshed every ancestor


def result_after_delete(*, parent_id: int | None, actor) -> None:
    """A deleted child no longer counts in its parent's progress."""
    if parent_id:
        parent = Result.objects.filter(pk=parent_id).first()
        if parent is not None:
            with transaction.atomic():
                result_record_changes(parent, actor=actor)


# --- proposals and reports -----------------------------------------------------------------


def result_create_from_proposal(*, proposal, actor, title: str = "", status: ResultStatus | None = None,
                                department=None, text: str = "") -> Result:
    """Staff turn an accepted proposal into a result in the same consultation and category."""
    require(actor, "accountability.link_proposal", proposal, _("Only city staff can link proposals to results."))
    if proposal.state != "accepted":
        raise ValidationError({"proposal": [_("Only an accepted proposal can become a result.")]})
    status = status or ResultStatus.objects.order_by("order", "pk").first()
    if status is None:
        raise ValidationError({"status": [_("No result statuses are configured yet.")]})
    places = [("", proposal.latitude, proposal.longitude)] if proposal.latitude is not None else []
    return result_create(
        actor=actor, consultation=proposal.consultation, status=status, title=title or proposal.title,
        description=text or proposal.official_answer or proposal.body[:TEXT_MAX], category=proposal.category,
        department=department, proposals=[proposal.pk], places=places,
    )


def result_link_proposal(*, result: Result, proposal, actor) -> ResultProposal:
    require(actor, "accountability.link_proposal", proposal, _("Only city staff can link proposals to results."))
    validation.check_proposal_linkable(proposal)
    with transaction.atomic():
        link, created = ResultProposal.objects.get_or_create(result=result, proposal=proposal)
        if created:
            publish(EVENT_RESULT_CHANGED, result_id=result.pk, consultation_id=result.consultation_id)
    return link


def result_unlink_proposal(*, result: Result, proposal, actor) -> None:
    require(actor, "accountability.change_result", result, _("Only city staff can change results."))
    ResultProposal.objects.filter(result=result, proposal=proposal).delete()


def result_link_report(*, result: Result, report, actor, note: str = "") -> ResultReport:
    """The report's resolution is this result: linked, and a public update on the report (its page,
    its followers and Open311 ``status_notes`` carry it) through the reports app's own service."""
    from participation.core.site import absolute_url
    from reports_map.services import report_update_post

    require(actor, "accountability.change_result", result, _("Only city staff can change results."))
    validation.check_report_linkable(report)
    note_text = plain_text(note)
    with transaction.atomic():
        link, created = ResultReport.objects.get_or_create(result=result, report=report)
        if created:
            url = absolute_url(result.get_absolute_url())
            text = _("Handled by the city's programme “%(title)s” (%(progress)s%% done): %(url)s") % {
                "title": result.title, "progress": result.progress, "url": url}
            report_update_post(report=report, actor=actor, text=f"{note_text}\n{text}".strip())
    return link


# --- follows --------------------------------------------------------------------------------


def result_follow(*, result: Result, user) -> None:
    require(user, "accountability.follow_result", result, _("You cannot follow this result."))
    ResultFollow.objects.get_or_create(result=result, user=user)


def result_unfollow(*, result: Result, user) -> None:
    ResultFollow.objects.filter(result=result, user=user).delete()


def parse_date(value, *, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip().replace("/", "-")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError({field: [_("“%(value)s” is not a date (use YYYY-MM-DD).") % {"value": value}]}) from None
