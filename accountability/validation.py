"""The checks every way of writing a result goes through (services, the CSV import, the Wagtail
admin forms through ``Model.clean()``). Each raises ``ValidationError`` with a translated message."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_DEPTH = 5  # a parent chain longer than this is refused (and any cycle)


def check_progress(value, *, field: str = "progress") -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
        if str(value).strip() not in (str(number), f"{number}.0"):
            raise ValueError
    except (TypeError, ValueError):
        raise ValidationError({field: [_("Progress must be a whole number from 0 to 100.")]}) from None
    if not 0 <= number <= 100:
        raise ValidationError({field: [_("Progress must be between 0 and 100 (it was %(n)s).") % {"n": number}]})
    return number


def check_dates(start, end) -> None:
    if start and end and end < start:
        raise ValidationError({"end_date": [_("The planned end must not be before the planned start.")]})


def check_budget(planned, spent) -> None:
    for name, value in (("budget_planned", planned), ("budget_spent", spent)):
        if value is not None and value < 0:
            raise ValidationError({name: [_("A budget cannot be negative.")]})


def check_place(latitude, longitude) -> tuple[float, float]:
    try:
        lat, lon = float(latitude), float(longitude)
    except (TypeError, ValueError):
        raise ValidationError({"latitude": [_("The place is not valid: give latitude and longitude.")]}) from None
    if lat != lat or lon != lon or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValidationError({"latitude": [_("The place is not valid: latitude -90 to 90, longitude -180 to 180.")]})
    return lat, lon


def check_parent(result, parent) -> None:
    """Refuse a parent that is the result itself or one of its descendants (a cycle), or too deep a chain."""
    if parent is None:
        return
    seen = set()
    node = parent
    depth = 0
    while node is not None:
        if result.pk is not None and node.pk == result.pk:
            raise ValidationError({"parent": [_("A result cannot be part of itself: this parent would make a cycle.")]})
        if node.pk in seen:
            raise ValidationError({"parent": [_("The parent results form a cycle.")]})
        seen.add(node.pk)
        depth += 1
        if depth > MAX_DEPTH:
            raise ValidationError({"parent": [_("Results can be nested at most %(n)d levels deep.") % {"n": MAX_DEPTH}]})
        node = node.parent


def check_category(consultation_id, category) -> None:
    if category is None:
        return
    if consultation_id is None or category.page_id != consultation_id:
        raise ValidationError({"category": [_("Choose one of this consultation's categories.")]})


def check_result_fields(result) -> None:
    """Everything about one result's own fields (the admin form and the services call this)."""
    errors: dict[str, list] = {}
    for check in (
        lambda: check_progress(result.progress_override, field="progress_override"),
        lambda: check_dates(result.start_date, result.end_date),
        lambda: check_budget(result.budget_planned, result.budget_spent),
        lambda: check_parent(result, result.parent),
        lambda: check_category(result.consultation_id, result.category),
    ):
        try:
            check()
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, []).extend(messages)
    if not (result.title or "").strip():
        errors.setdefault("title", []).append(_("Please enter a title."))
    if errors:
        raise ValidationError(errors)


def check_proposal_linkable(proposal) -> None:
    """A result may answer only a proposal the public can see."""
    hidden = proposal.hidden_at is not None or getattr(proposal.author, "content_hidden_at", None) is not None
    if hidden:
        raise ValidationError({"proposal": [_("Proposal #%(n)s is hidden by moderation and cannot be linked.")
                                            % {"n": proposal.pk}]})
    if proposal.state == "withdrawn":
        raise ValidationError({"proposal": [_("Proposal #%(n)s was withdrawn and cannot be linked.") % {"n": proposal.pk}]})


def check_report_linkable(report) -> None:
    if report.hidden_at is not None:
        raise ValidationError({"report": [_("Report #%(n)s is hidden by moderation and cannot be linked.")
                                          % {"n": report.pk}]})
