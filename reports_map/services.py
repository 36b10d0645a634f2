"""Writes for reports: filing, drafts, following, staff updates, triage, photos and Open311 keys.

Every function validates first and raises ``ValidationError`` / ``PermissionDenied`` before
anything is written; photo files are written inside the transaction and removed again if it fails.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from collections.abc import Iterable, Sequence
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from participation.accounts.notifications import notification_send
from participation.core.errors import require
from participation.core.events import publish
from participation.core.photo_files import photo_file_place, photo_files_write, removed_on_failure
from participation.core.photos import ProcessedPhoto, process_photo
from participation.core.text import plain_text
from reports_map.geo import validate_location
from reports_map.models import (
    Category,
    Open311ApiKey,
    Report,
    ReportDraft,
    ReportDraftPhoto,
    ReportFollower,
    ReportPhoto,
    ReportUpdate,
    Status,
)

MAX_PHOTOS = 3
MAX_DESCRIPTION = 4000
MAX_ADDRESS = 200
DRAFT_LIFETIME = timedelta(hours=6)
PHOTO_APP = "reports"  # public/reports/ and private/reports/


# --- validation helpers -----------------------------------------------------------------------

def _checked_text(value, *, max_length: int, field_label: str, required: bool = True) -> str:
    """``plain_text`` (stored as typed, escaped on output), then required and length checks."""
    text = plain_text(value)
    if required and not text:
        raise ValidationError(_("Please write the %(field)s.") % {"field": field_label}, code="required")
    if len(text) > max_length:
        raise ValidationError(
            _("The %(field)s is too long (at most %(max)d characters).") % {"field": field_label, "max": max_length},
            code="too_long",
        )
    return text


def validate_attributes(category: Category, raw: dict[str, list[str]]) -> dict:
    """Check answers to the category's extra questions (Open311 attributes); returns clean answers."""
    answers: dict = {}
    errors = []
    for question in category.questions.all():
        values = [v.strip() for v in raw.get(question.code, []) if v is not None and str(v).strip()]
        label = question.localized_description
        if not values:
            if question.required:
                errors.append(_("Please answer: %(question)s") % {"question": label})
            continue
        kind = question.datatype
        keys = {str(v.get("key")) for v in question.values or []}
        if kind == "number":
            try:
                number = float(values[0])
            except ValueError:
                number = math.nan
            if not math.isfinite(number):
                errors.append(_("%(question)s: please enter a number.") % {"question": label})
                continue
            answers[question.code] = number
        elif kind == "datetime":
            parsed = parse_datetime(values[0]) or parse_date(values[0])
            if parsed is None:
                errors.append(_("%(question)s: please enter a date (YYYY-MM-DD).") % {"question": label})
                continue
            answers[question.code] = parsed.isoformat()
        elif kind == "singlevaluelist":
            if len(values) != 1 or values[0] not in keys:
                errors.append(_("%(question)s: please choose one of the options.") % {"question": label})
                continue
            answers[question.code] = values[0]
        elif kind == "multivaluelist":
            if not set(values) <= keys:
                errors.append(_("%(question)s: please choose from the options.") % {"question": label})
                continue
            answers[question.code] = sorted(set(values))
        else:
            limit = 4000 if kind == "text" else 200
            try:
                answers[question.code] = _checked_text(values[0], max_length=limit, field_label=label)
            except ValidationError as exc:
                errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors, code="attributes")
    return answers


def _check_category(category: Category | None) -> Category:
    if category is None or not category.active:
        raise ValidationError(_("Please choose a category."), code="category")
    return category


def report_photos_process(uploads: Sequence, *, limit: int = MAX_PHOTOS) -> list[ProcessedPhoto]:
    """Every photo of a report, whatever the route (web form, draft, Open311, staff update): at most
    ``limit``, each through the shared pipeline (caps, format, re-encoding without metadata). Raises
    ``ValidationError({"photos": [...]})`` naming each refused file; nothing is stored by this."""
    uploads = [upload for upload in uploads or () if upload]
    if len(uploads) > limit:
        raise ValidationError({"photos": [ValidationError(
            _("You can add at most %(max)d photos.") % {"max": limit}, code="too_many_photos")]})
    processed, errors = [], []
    for upload in uploads:
        try:
            processed.append(process_photo(upload))
        except ValidationError as exc:
            name = str(getattr(upload, "name", "") or "")[:60]
            message = exc.messages[0]
            errors.append(ValidationError(f"{name}: {message}" if name else message, code=exc.code))
    if errors:
        raise ValidationError({"photos": errors})
    return processed


# --- photo files ------------------------------------------------------------------------------

def _photo_should_be_public(photo: ReportPhoto, report: Report) -> bool:
    author_blocked = report.author_id is not None and report.author.content_hidden_at is not None
    return photo.hidden_at is None and not report.private and report.hidden_at is None and not author_blocked


def report_photos_sync_files(*, report: Report) -> None:
    """Keep each photo's files under public/ exactly while anyone may see them, private/ otherwise."""
    from reports_map.selectors import grid_cache_invalidate

    transaction.on_commit(grid_cache_invalidate)
    for photo in report.photos.all():
        public = _photo_should_be_public(photo, report)
        if photo.is_public_file != public:
            photo.image = photo_file_place(photo.image, app=PHOTO_APP, public=public)
            photo.thumbnail = photo_file_place(photo.thumbnail, app=PHOTO_APP, public=public)
            photo.save(update_fields=["image", "thumbnail"])


def _store_photos(report: Report, photos: Iterable[ProcessedPhoto], *, uploaded_by, update=None,
                  written: list[str]) -> None:
    for photo in photos:
        image, thumbnail = photo_files_write(photo, app=PHOTO_APP,
                                             public=not report.private and report.hidden_at is None)
        written += [image, thumbnail]
        ReportPhoto.objects.create(
            report=report, update=update, uploaded_by=uploaded_by, image=image, thumbnail=thumbnail,
            width=photo.width, height=photo.height,
        )


# --- filing -----------------------------------------------------------------------------------

def _report_text(description, address) -> tuple[str, str]:
    return (
        _checked_text(description, max_length=MAX_DESCRIPTION, field_label=_("description")),
        _checked_text(address, max_length=MAX_ADDRESS, field_label=_("address or landmark"), required=False),
    )


def report_create(*, author, category: Category | None, latitude, longitude, description: str,
                  address: str = "", photos: Sequence = (), attributes: dict | None = None,
                  show_name: bool = False, source: str = Report.Source.WEB, api_key: Open311ApiKey | None = None,
                  contact: dict | None = None) -> Report:
    """File a report; the one path for the web form, the confirmed draft and Open311 POST.

    ``photos`` are uploaded files: they are checked and re-encoded here (``report_photos_process``).
    Everything is validated before the first write; files are removed again if the write fails."""
    if source == Report.Source.WEB:
        require(author, "reports_map.add_report", message=_("Please log in to report a problem."))
    category = _check_category(category)
    lat, lon = validate_location(latitude, longitude)
    text, place = _report_text(description, address)
    processed = report_photos_process(photos)
    answers = attributes or {}
    with removed_on_failure() as written, transaction.atomic():
        now = timezone.now()
        report = Report.objects.create(
            category=category, author=author, description=text, address=place, latitude=lat, longitude=lon,
            show_name=bool(show_name and author is not None), attributes=answers, source=source,
            api_key=api_key, contact=contact or {}, created_at=now, updated_at=now,
        )
        ReportUpdate.objects.create(report=report, author=author, status_to=Status.OPEN, created_at=now)
        _store_photos(report, processed, uploaded_by=author, written=written)
        if author is not None:
            ReportFollower.objects.create(report=report, user=author)
        publish("reports_map.report_created", report_id=report.pk, category_id=category.pk)
    return report


def report_draft_create(*, user, data: dict, photos: Sequence = ()) -> ReportDraft:
    """Keep step-1 input and its photos (through the same checks and re-encoding as ``report_create``,
    so nothing with metadata is ever stored) server-side until the resident confirms."""
    description, address = _report_text(data.get("description"), data.get("address"))
    data = {**data, "description": description, "address": address}
    processed = report_photos_process(photos)
    with transaction.atomic():
        ReportDraft.objects.filter(created_at__lt=timezone.now() - DRAFT_LIFETIME).delete()
        ReportDraft.objects.filter(user=user).delete()  # one pending draft per resident
        draft = ReportDraft.objects.create(user=user, data=data)
        for photo in processed:
            ReportDraftPhoto.objects.create(
                draft=draft, image_bytes=photo.image_bytes, thumbnail_bytes=photo.thumbnail_bytes,
                extension=photo.extension, width=photo.width, height=photo.height,
            )
    return draft


def _draft_for(user, token) -> ReportDraft:
    draft = ReportDraft.objects.filter(
        token=token, user=user, created_at__gte=timezone.now() - DRAFT_LIFETIME
    ).first() if user is not None and user.is_authenticated else None
    if draft is None:
        raise ValidationError(_("This report draft has expired. Please fill in the form again."), code="draft")
    return draft


def report_create_from_draft(*, user, token) -> Report:
    """Step 2: file the report kept in the draft (its photos go through ``report_create`` like any
    upload), then drop the draft."""
    with transaction.atomic():
        draft = _draft_for(user, token)
        data = draft.data
        photos = [ContentFile(bytes(p.image_bytes), name=f"photo.{p.extension}") for p in draft.photos.all()]
        report = report_create(
            author=user, category=Category.objects.filter(pk=data.get("category_id")).first(),
            latitude=data.get("latitude"), longitude=data.get("longitude"), description=data.get("description", ""),
            address=data.get("address", ""), photos=photos, attributes=data.get("attributes") or {},
            show_name=bool(data.get("show_name")),
        )
        draft.delete()
    return report


def report_draft_discard_and_follow(*, user, token, report: Report, me_too: bool = True) -> ReportFollower:
    """Step 2, the other choice: follow the existing report ("me too") instead of filing a new one."""
    with transaction.atomic():
        draft = _draft_for(user, token)
        follower = report_follow(report=report, user=user, me_too=me_too)
        draft.delete()
    return follower


def report_follow(*, report: Report, user, me_too: bool = False) -> ReportFollower:
    require(user, "reports_map.follow_report", report, _("You cannot follow this report."))
    with transaction.atomic():
        follower, created = ReportFollower.objects.get_or_create(report=report, user=user, defaults={"me_too": me_too})
        if not created and me_too and not follower.me_too:
            follower.me_too = True
            follower.save(update_fields=["me_too"])
    publish("reports_map.report_followed", report_id=report.pk)
    return follower


def report_unfollow(*, report: Report, user) -> None:
    ReportFollower.objects.filter(report=report, user=user).delete()


# --- staff ------------------------------------------------------------------------------------

def _notify(report: Report, *, actor, message_factory, email_note: str = "") -> None:
    from django.urls import reverse

    recipients = [f.user for f in report.followers.select_related("user")]
    if report.author_id:
        recipients.append(report.author)
    notification_send(
        recipients=recipients, verb="reports_map.report_updated", message_factory=message_factory,
        url=reverse("reports_map:detail", args=[report.pk]), exclude=actor, email_note=email_note,
    )


def _status_label(status: str) -> str:
    return str(Status(status).label)


def report_update_post(*, report: Report, actor, text: str = "", status: str | None = None,
                       photo=None, duplicate_of: Report | None = None) -> ReportUpdate:
    """A public staff update: text, an optional status change and an optional photo (an uploaded file,
    through ``report_photos_process``); notifies followers."""
    require(actor, "reports_map.triage_report", message=_("Only city staff can do this."))
    clean = _checked_text(text, max_length=MAX_DESCRIPTION, field_label=_("update"), required=False)
    if status is not None and status not in Status.values:
        raise ValidationError(_("Please choose a valid status."), code="status")
    new_status = status if status and status != report.status else None
    if new_status == Status.CLOSED_DUPLICATE and (duplicate_of is None or duplicate_of.pk == report.pk):
        raise ValidationError(_("Please give the number of the original report."), code="duplicate_of")
    processed = report_photos_process([photo], limit=1)
    if not clean and not new_status and not processed:
        raise ValidationError(_("Please write an update or change the status."), code="empty_update")
    with removed_on_failure() as written, transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        now = timezone.now()
        update = ReportUpdate.objects.create(
            report=locked, author=actor, text=clean, status_from=locked.status if new_status else "",
            status_to=new_status or "", created_at=now,
        )
        fields = ["updated_at"]
        locked.updated_at = now
        if new_status:
            locked.status = new_status
            locked.fixed_at = now if new_status == Status.FIXED else None
            fields += ["status", "fixed_at"]
            if new_status == Status.CLOSED_DUPLICATE:
                locked.duplicate_of = duplicate_of
                fields.append("duplicate_of")
        locked.save(update_fields=fields)
        _store_photos(locked, processed, uploaded_by=actor, update=update, written=written)
        _notify(
            locked, actor=actor,
            message_factory=lambda: (
                _("Report #%(id)s is now: %(status)s") % {"id": locked.pk, "status": _status_label(new_status)}
                if new_status else _("Report #%(id)s has a new update from the city.") % {"id": locked.pk}
            ),
            email_note=clean,
        )
        publish("reports_map.report_updated", report_id=locked.pk, status=locked.status)
    report.refresh_from_db()
    return update


def report_bulk_set_status(*, report_ids: Iterable[int], status: str, actor) -> int:
    """Change the status of many reports at once, each with its history entry and notification."""
    require(actor, "reports_map.triage_report", message=_("Only city staff can do this."))
    if status not in Status.values or status == Status.CLOSED_DUPLICATE:
        raise ValidationError(_("Please choose a valid status."), code="status")
    changed = 0
    with transaction.atomic():
        for report in Report.objects.filter(pk__in=list(report_ids)).exclude(status=status):
            report_update_post(report=report, actor=actor, status=status)
            changed += 1
    return changed


def report_assign(*, report: Report, assignee, actor) -> Report:
    require(actor, "reports_map.triage_report", message=_("Only city staff can do this."))
    if assignee is not None and not assignee.has_perm("reports_map.triage_report"):
        raise ValidationError(_("Reports can only be assigned to staff."), code="assignee")
    report.assigned_to = assignee
    report.updated_at = timezone.now()
    report.save(update_fields=["assigned_to", "updated_at"])
    return report


def report_move(*, report: Report, latitude, longitude, actor) -> Report:
    require(actor, "reports_map.triage_report", message=_("Only city staff can do this."))
    lat, lon = validate_location(latitude, longitude)
    report.latitude, report.longitude, report.updated_at = lat, lon, timezone.now()
    report.save(update_fields=["latitude", "longitude", "updated_at"])
    return report


def report_set_private(*, report: Report, private: bool, actor) -> Report:
    """Staff hide a whole report from the public (e.g. it shows a person); its photos leave public/."""
    require(actor, "reports_map.triage_report", message=_("Only city staff can do this."))
    with transaction.atomic():
        report.private = private
        report.updated_at = timezone.now()
        report.save(update_fields=["private", "updated_at"])
        report_photos_sync_files(report=report)
    publish("reports_map.report_updated", report_id=report.pk, status=report.status)
    return report


def report_photo_set_hidden(*, photo: ReportPhoto, hidden: bool, actor, reason: str = "") -> ReportPhoto:
    require(actor, "reports_map.triage_report", message=_("Only city staff can do this."))
    with transaction.atomic():
        photo.hidden_at = timezone.now() if hidden else None
        photo.hidden_reason = reason[:200] if hidden else ""
        photo.save(update_fields=["hidden_at", "hidden_reason"])
        report_photos_sync_files(report=photo.report)
    return photo


def on_author_block_changed(event_name: str, payload: dict) -> None:
    """Subscriber of moderation.user_blocked / user_unblocked: the author's photos leave or rejoin public/."""
    for report in Report.objects.filter(author_id=payload.get("user_id")).select_related("author"):
        report_photos_sync_files(report=report)


def on_visibility_changed(obj) -> None:
    """Moderation hid or unhid a report or a photo: move the files accordingly."""
    report = obj if isinstance(obj, Report) else obj.report
    report_photos_sync_files(report=report)


# --- Open311 keys -----------------------------------------------------------------------------

def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def open311_key_create(*, name: str, created_by=None) -> tuple[Open311ApiKey, str]:
    """Create a key; the raw key is returned once and only its digest is stored."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationError(_("Please give the key a name (at most 100 characters)."), code="name")
    raw = secrets.token_urlsafe(32)
    key = Open311ApiKey.objects.create(name=name, prefix=raw[:8], digest=_digest(raw), created_by=created_by)
    return key, raw


def open311_key_check(raw: str | None) -> Open311ApiKey | None:
    if not raw or len(raw) > 200:
        return None
    return Open311ApiKey.objects.filter(digest=_digest(raw), active=True).first()


def open311_key_set_active(*, key: Open311ApiKey, active: bool, actor) -> Open311ApiKey:
    require(actor, "reports_map.manage_open311_keys")
    key.active = active
    key.save(update_fields=["active"])
    return key


# --- account data -----------------------------------------------------------------------------

def reports_anonymise_user(user) -> None:
    """Account deletion: reports stay (the city still fixes the hole) but lose every link to the person."""
    with transaction.atomic():
        Report.objects.filter(author=user).update(author=None, show_name=False, contact={})
        ReportFollower.objects.filter(user=user).delete()
        ReportDraft.objects.filter(user=user).delete()
        ReportPhoto.objects.filter(uploaded_by=user).update(uploaded_by=None)

