"""Views: the flag form residents use, the moderator queue and item page, and the staff audit log."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from participation.core.errors import require
from participation.core.http import safe_next
from participation.core.ratelimit import rate_limit_hit
from participation.models import Flag, FlagStatus, ModerationActionKind
from participation.moderation import services as moderation
from participation.moderation.forms import FlagForm, ModerationActionForm
from participation.moderation.selectors import (
    QUEUE_STATUSES,
    audit_entries_describe,
    audit_log_for,
    audit_log_list,
    audit_reason,
    moderation_queue_page,
    queue_item_get,
)
from participation.opendata.formats import csv_response


def _target_or_404(kind: str, object_id: int) -> moderation.Target:
    try:
        return moderation.target_get(kind=kind, object_id=object_id)
    except ValidationError as exc:
        raise Http404 from exc


@login_required
def flag_create(request: HttpRequest, kind: str, object_id: int) -> HttpResponse:
    require(request.user, "participation.flag")
    target = _target_or_404(kind, object_id)
    if not target.is_visible:
        raise Http404
    form = FlagForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        rate_limit_hit("flag", request=request, user=request.user)
        try:
            _flag, created = moderation.flag_create(
                user=request.user, kind=kind, object_id=object_id,
                reason=form.cleaned_data["reason"], details=form.cleaned_data["details"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if created:
                messages.success(request, _("Thank you. A moderator will look at it."))
            else:
                messages.info(request, _("You have already flagged this. A moderator will look at it."))
            return redirect(safe_next(request, target.url))
    return render(request, "participation/flag_form.html", {"form": form, "target": target,
                                                            "next": safe_next(request, target.url)})


def _query_string(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _int_or_none(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    require(request.user, "participation.moderate")
    from participation.dashboard.selectors import consultation_titles

    status = request.GET.get("status") if request.GET.get("status") in QUEUE_STATUSES else "open"
    kinds = moderation.moderatable_kinds()
    kind = request.GET.get("kind") if request.GET.get("kind") in kinds else ""
    consultation_id = _int_or_none(request.GET.get("consultation"))
    page = moderation_queue_page(status=status, kind=kind or None, consultation_id=consultation_id,
                                 page=request.GET.get("page"))
    titles = consultation_titles()
    return render(request, "participation/moderation/queue.html", {
        "page_obj": page, "status": status, "kind": kind, "kinds": sorted(kinds.items()),
        "consultation_id": consultation_id, "consultations": sorted(titles.items()),
        "statuses": [("open", _("Flagged")), ("hidden", _("Hidden")), ("blocked", _("Blocked accounts"))],
        "query_string": _query_string(request),
    })


def _apply_action(request: HttpRequest, target: moderation.Target, action: str, reason: str,
                  block_scope: str = "") -> str:
    user = request.user
    if action == "hide":
        moderation.item_hide(actor=user, kind=target.kind, object_id=target.object_id, reason=reason)
        return _("The item was hidden.")
    if action == "unhide":
        moderation.item_unhide(actor=user, kind=target.kind, object_id=target.object_id, reason=reason)
        return _("The item is visible again.")
    if action == "dismiss":
        moderation.flag_dismiss(actor=user, kind=target.kind, object_id=target.object_id, reason=reason)
        return _("The flags were dismissed.")
    author = target.author
    if author is None:
        raise ValidationError(_("This item has no author to block."))
    if action == "block":
        moderation.user_block(actor=user, user_id=author.pk, reason=reason, hide_past=block_scope == "all")
        return _("The account was blocked.")
    if action == "unblock":
        moderation.user_unblock(actor=user, user_id=author.pk, reason=reason)
        return _("The account was unblocked.")
    raise ValidationError(_("Unknown action."))


@login_required
def item_detail(request: HttpRequest, kind: str, object_id: int) -> HttpResponse:
    """One item (or account) with its flag history and audit trail; POST applies an action."""
    require(request.user, "participation.moderate")
    target = _target_or_404(kind, object_id)
    open_flags = Flag.objects.filter(kind=kind, object_id=object_id, status=FlagStatus.OPEN).exists()
    form = ModerationActionForm(request.POST if request.method == "POST" else None, target=target,
                                has_open_flags=open_flags)
    if request.method == "POST":
        if form.is_valid():
            try:
                message = _apply_action(request, target, form.cleaned_data["action"], form.cleaned_data["reason"],
                                        form.cleaned_data.get("block_scope", ""))
            except ValidationError as exc:
                form.add_error("reason" if getattr(exc, "code", "") in {"reason_required", "reason_too_long"} else None, exc)
            else:
                messages.success(request, message)
                return redirect(safe_next(request, request.path))
        status = 400
    else:
        status = 200
    item = queue_item_get(kind=kind, object_id=object_id)
    history = list(audit_log_for(kind=kind, object_id=object_id)[:100])
    for entry in history:
        entry.reason_text = audit_reason(entry)
    response = render(request, "participation/moderation/item.html", {
        "item": item, "form": form, "history": history,
        "block_preview": moderation.user_block_preview(user=target.author)
        if target.author is not None and target.author.blocked_at is None else [],
        "can_view_audit": request.user.has_perm("participation.view_audit_log"),
    })
    response.status_code = status
    return response


AUDIT_COLUMNS = [
    ("created_at", _("time")), ("actor", _("actor")), ("action", _("action")), ("target_kind", _("type")),
    ("target_type", _("type name")), ("target_id", _("item id")), ("target_text", _("item")), ("reason", _("reason")),
]


@login_required
def audit_log(request: HttpRequest, fmt: str = "html") -> HttpResponse:
    require(request.user, "participation.view_audit_log")
    actions = dict(ModerationActionKind.choices)
    action = request.GET.get("action") if request.GET.get("action") in actions else ""
    kind = request.GET.get("kind") if request.GET.get("kind") in moderation.moderatable_kinds() else ""
    entries = audit_log_list(action=action or None, kind=kind or None)
    if fmt == "csv":
        # The readable name of each type beside its machine key, in the page's language (read now: the rows
        # are written while the response streams).
        type_names = {key: str(label) for key, label in moderation.moderatable_kinds().items()}
        rows = (
            {
                "created_at": e.created_at.isoformat(), "actor": e.actor.username if e.actor else "",
                "action": e.action, "target_kind": e.target_kind,
                "target_type": type_names.get(e.target_kind, e.target_kind), "target_id": e.target_id,
                "target_text": e.target_text, "reason": audit_reason(e),
            }
            for e in entries.iterator()
        )
        return csv_response("audit-log.csv", [key for key, _label in AUDIT_COLUMNS], rows)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    page.object_list = audit_entries_describe(page.object_list)
    return render(request, "participation/moderation/audit_log.html", {
        "page_obj": page, "actions": sorted(actions.items()), "action": action, "kind": kind,
        "kinds": sorted(moderation.moderatable_kinds().items()), "query_string": _query_string(request),
    })
