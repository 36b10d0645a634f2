"""Moderation services: flags, hiding and unhiding items, dismissing flags, blocking users.

The kernel knows moderatable things only through ``registry.moderatables`` (ModeratableSpec);
the kind ``"user"`` (flagging or blocking an account) is the kernel's own. Every moderator or
staff action, and every automatic hide, writes one ``ModerationAction`` (the audit log).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from participation.accounts.notifications import notification_send
from participation.core.errors import require
from participation.core.events import publish
from participation.core.registry import registry
from participation.core.text import plain_text
from participation.models import Flag, FlagReason, FlagStatus, ModerationAction, ModerationActionKind, User

USER_KIND = "user"
DETAILS_MAX = 1000
REASON_MAX = 1000


NAME_MAX = 80  # characters of an item's text in its name


def target_name(label: Any, title: Any) -> str:
    """How moderators' pages name an item or an account: 「コメント「夜は暗くて…」」, "User “山田花子”". One
    wording for the audit log, the queue and the item page (never "comment #150"); a lower-case model name
    ("issue report") is capitalised like the others ("Comment")."""
    return gettext("%(label)s “%(title)s”") % {"label": capfirst(label), "title": Truncator(str(title)).chars(NAME_MAX)}


@dataclass(frozen=True)
class Target:
    """An item (or account) that can be flagged, resolved from (kind, id)."""

    kind: str
    obj: Any
    spec: Any  # ModeratableSpec, or None for users

    @property
    def object_id(self) -> int:
        return self.obj.pk

    @property
    def label(self) -> str:
        return str(self.spec.label) if self.spec is not None else str(_("user"))

    @property
    def text(self) -> str:
        if self.spec is None:
            return self.obj.public_name
        try:
            return str(self.spec.text(self.obj))
        except Exception:  # a broken spec must not break the queue
            return f"{self.label} #{self.obj.pk}"

    @property
    def name(self) -> str:
        return target_name(self.label, self.text)

    @property
    def url(self) -> str:
        if self.spec is None:
            return ""
        try:
            return self.spec.url(self.obj) or ""
        except Exception:
            return ""

    @property
    def consultation_id(self) -> int | None:
        if self.spec is None:
            return None
        try:
            return self.spec.consultation_of(self.obj)
        except Exception:
            return None

    @property
    def author(self) -> User | None:
        if self.spec is None:
            return self.obj
        return item_author(self.obj)

    @property
    def is_hidden(self) -> bool:
        if self.spec is None:
            return self.obj.blocked_at is not None
        return getattr(self.obj, "hidden_at", None) is not None

    @property
    def is_visible(self) -> bool:
        if self.spec is None:
            return self.obj.is_active and self.obj.blocked_at is None
        author = self.author
        return not self.is_hidden and not (author is not None and author.content_hidden_at is not None)


def moderatable_kinds() -> dict[str, Any]:
    """kind -> label of everything that can be flagged, the kernel's "user" included."""
    kinds = {kind: spec.label for kind, spec in registry.moderatables.items()}
    kinds[USER_KIND] = _("user")
    return kinds


def item_author(obj) -> User | None:
    """Follow the model's ``moderation_author_field`` (e.g. "author" or "report__author")."""
    path = getattr(obj, "moderation_author_field", "author") or ""
    current = obj
    for part in path.split("__") if path else []:
        current = getattr(current, part, None)
        if current is None:
            return None
    return current if isinstance(current, User) else None


def target_get(*, kind: str, object_id: int, for_update: bool = False) -> Target:
    """Resolve (kind, id); unknown kinds are a ValidationError, unknown ids a 404."""
    if kind == USER_KIND:
        qs = User.objects.filter(is_active=True)
        spec = None
    else:
        spec = registry.moderatables.get(kind)
        if spec is None:
            raise ValidationError(
                gettext("Unknown type “%(kind)s”. Use one of: %(kinds)s.")
                % {"kind": str(kind)[:40], "kinds": ", ".join(sorted(moderatable_kinds()))},
                code="unknown_kind",
            )
        qs = spec.model._base_manager.all()
    if not isinstance(object_id, int) or isinstance(object_id, bool) or object_id <= 0:
        raise Http404
    if for_update:
        qs = qs.select_for_update()
    obj = qs.filter(pk=object_id).first()
    if obj is None:
        raise Http404
    return Target(kind, obj, spec)


def _audit(
    *, actor: User | None, action: str, target: Target, reason: str = "", details: dict | None = None
) -> ModerationAction:
    return ModerationAction.objects.create(
        actor=actor, action=action, target_kind=target.kind, target_id=target.object_id,
        target_text=target.text[:200], reason=reason[:REASON_MAX], details=details or {},
    )


def auto_hide_reason(flags: int, reasons: list[str]) -> str:
    """Why an item was hidden automatically, in the active language: "Flagged by 3 residents: Personal
    information" / 「住民3人が通報: 個人情報」."""
    labels = dict(FlagReason.choices)
    return gettext("Flagged by %(count)d residents: %(reasons)s") % {
        "count": flags, "reasons": ", ".join(str(labels.get(r, r)) for r in reasons)
    }


def _clean_reason(reason: str, *, required: bool) -> str:
    reason = plain_text(reason)
    if required and not reason:
        raise ValidationError(gettext("Please give a reason."), code="reason_required")
    if len(reason) > REASON_MAX:
        raise ValidationError(
            gettext("Please keep the reason under %(max)d characters.") % {"max": REASON_MAX}, code="reason_too_long"
        )
    return reason


def _visibility_changed(target: Target) -> None:
    if target.spec is not None:
        target.spec.on_visibility_changed(target.obj)


def _set_hidden(target: Target, *, reason: str) -> bool:
    """Hide the item unless it already is; a conditional UPDATE makes concurrent hides harmless."""
    now = timezone.now()
    changed = target.spec.model._base_manager.filter(pk=target.object_id, hidden_at__isnull=True).update(
        hidden_at=now, hidden_reason=reason[:200]
    )
    if changed:
        target.obj.hidden_at = now
        target.obj.hidden_reason = reason[:200]
    return bool(changed)


def _notify_hidden(target: Target, *, reason_factory) -> None:
    author = target.author
    if author is None:
        return
    spec_label = target.spec.label

    def message():
        return gettext("Your %(item)s “%(text)s” was hidden by moderation. Reason: %(reason)s") % {
            "item": str(spec_label), "text": target.text[:60], "reason": reason_factory(),
        }

    notification_send(recipients=[author], verb="moderation.hidden", message_factory=message)


def _open_reasons(kind: str, object_id: int) -> list[str]:
    reasons = (
        Flag.objects.filter(kind=kind, object_id=object_id, status=FlagStatus.OPEN)
        .values_list("reason", flat=True).distinct()
    )
    return sorted(set(reasons))


def flag_create(*, user: User, kind: str, object_id: int, reason: str, details: str = "") -> tuple[Flag, bool]:
    """Flag an item or an account. Returns (flag, created); a repeat returns the existing flag.

    One flag per user per item is guaranteed by the database; once FLAG_HIDE_THRESHOLD distinct
    residents have open flags on an item it is hidden, queued for review and its author told why.
    """
    require(user, "participation.flag", message=gettext("Please sign in to flag content."))
    if reason not in FlagReason.values:
        raise ValidationError(
            gettext("Unknown reason. Use one of: %(reasons)s.") % {"reasons": ", ".join(FlagReason.values)},
            code="unknown_reason",
        )
    details = plain_text(details)
    if len(details) > DETAILS_MAX:
        raise ValidationError(
            gettext("Please keep the details under %(max)d characters.") % {"max": DETAILS_MAX}, code="details_too_long"
        )
    with transaction.atomic():
        # The item's row lock serialises flaggers of one item, so the threshold count sees every earlier flag.
        target = target_get(kind=kind, object_id=object_id, for_update=True)
        if not target.is_visible:
            raise Http404
        # Authors may flag their own items (e.g. personal information posted by mistake); not themselves.
        if target.spec is None and target.obj.pk == user.pk:
            raise ValidationError(gettext("You cannot flag your own account."), code="own_account")
        existing = Flag.objects.filter(user=user, kind=kind, object_id=target.object_id).first()
        if existing is not None:
            return existing, False
        try:
            with transaction.atomic():
                flag = Flag.objects.create(
                    user=user, kind=kind, object_id=target.object_id, reason=reason, details=details
                )
        except IntegrityError:  # the same user flagging in parallel: the database kept one
            return Flag.objects.get(user=user, kind=kind, object_id=target.object_id), False
        if target.spec is not None:
            _auto_hide_if_needed(target)
        publish("moderation.flagged", kind=kind, object_id=target.object_id)
    return flag, True


def _auto_hide_if_needed(target: Target) -> None:
    open_flags = Flag.objects.filter(kind=target.kind, object_id=target.object_id, status=FlagStatus.OPEN)
    count = open_flags.count()
    threshold = settings.FLAG_HIDE_THRESHOLD
    if threshold <= 0 or count < threshold:
        return
    codes = _open_reasons(target.kind, target.object_id)
    with translation.override(settings.LANGUAGE_CODE):
        stored = auto_hide_reason(count, codes)
    if not _set_hidden(target, reason=stored):
        return
    details = {"flags": count, "reasons": codes}
    _audit(actor=None, action=ModerationActionKind.AUTO_HIDE, target=target, reason=stored, details=details)
    _visibility_changed(target)

    def reason_now():
        return auto_hide_reason(count, codes)

    _notify_hidden(target, reason_factory=reason_now)
    publish("moderation.hidden", kind=target.kind, object_id=target.object_id, consultation_id=target.consultation_id)


def _close_flags(target: Target, status: str) -> int:
    return Flag.objects.filter(kind=target.kind, object_id=target.object_id, status=FlagStatus.OPEN).update(
        status=status, resolved_at=timezone.now()
    )


def item_hide(*, actor: User, kind: str, object_id: int, reason: str) -> Target:
    """Hide an item (or confirm an automatic hide): open flags are upheld, the author is told why."""
    require(actor, "participation.moderate", message=gettext("Only moderators can do that."))
    reason = _clean_reason(reason, required=True)
    with transaction.atomic():
        target = target_get(kind=kind, object_id=object_id, for_update=True)
        if target.spec is None:
            raise ValidationError(gettext("Accounts are blocked, not hidden."), code="wrong_action")
        newly_hidden = _set_hidden(target, reason=reason)
        if not newly_hidden:  # confirming an automatic hide: keep it hidden, record the moderator's reason
            target.spec.model._base_manager.filter(pk=target.object_id).update(hidden_reason=reason[:200])
            target.obj.hidden_reason = reason[:200]
        _close_flags(target, FlagStatus.UPHELD)
        _audit(actor=actor, action=ModerationActionKind.HIDE, target=target, reason=reason)
        if newly_hidden:
            _visibility_changed(target)
            _notify_hidden(target, reason_factory=lambda: reason)
            publish("moderation.hidden", kind=kind, object_id=target.object_id, consultation_id=target.consultation_id)
    return target


def item_unhide(*, actor: User, kind: str, object_id: int, reason: str = "") -> Target:
    """Show a hidden item again, intact. Its flags stay in the history (dismissed)."""
    require(actor, "participation.moderate", message=gettext("Only moderators can do that."))
    reason = _clean_reason(reason, required=False)
    with transaction.atomic():
        target = target_get(kind=kind, object_id=object_id, for_update=True)
        if target.spec is None:
            raise ValidationError(gettext("Accounts are unblocked, not unhidden."), code="wrong_action")
        if not target.is_hidden:
            raise ValidationError(gettext("This item is not hidden."), code="not_hidden")
        target.spec.model._base_manager.filter(pk=target.object_id).update(hidden_at=None, hidden_reason="")
        target.obj.hidden_at = None
        target.obj.hidden_reason = ""
        _close_flags(target, FlagStatus.DISMISSED)
        _audit(actor=actor, action=ModerationActionKind.UNHIDE, target=target, reason=reason)
        _visibility_changed(target)
        author = target.author
        if author is not None:
            label = target.spec.label
            notification_send(
                recipients=[author], verb="moderation.unhidden", url=target.url,
                message_factory=lambda: gettext("Your %(item)s “%(text)s” is visible again.")
                % {"item": str(label), "text": target.text[:60]},
            )
        publish("moderation.unhidden", kind=kind, object_id=target.object_id, consultation_id=target.consultation_id)
    return target


def flag_dismiss(*, actor: User, kind: str, object_id: int, reason: str = "") -> Target:
    """Close the open flags on an item or account without acting on it (visibility unchanged)."""
    require(actor, "participation.moderate", message=gettext("Only moderators can do that."))
    reason = _clean_reason(reason, required=False)
    with transaction.atomic():
        target = target_get(kind=kind, object_id=object_id, for_update=True)
        if not _close_flags(target, FlagStatus.DISMISSED):
            raise ValidationError(gettext("There are no open flags on this item."), code="no_open_flags")
        _audit(actor=actor, action=ModerationActionKind.DISMISS, target=target, reason=reason)
    return target


def user_block(*, actor: User, user_id: int, reason: str, hide_past: bool = True) -> User:
    """Block an account: login and new posts are refused. With ``hide_past`` what it posted before also
    disappears everywhere (``visible()``); without, past content stays (the moderator chooses)."""
    require(actor, "participation.moderate", message=gettext("Only moderators can do that."))
    reason = _clean_reason(reason, required=True)
    with transaction.atomic():
        target = target_get(kind=USER_KIND, object_id=user_id, for_update=True)
        user = target.obj
        if user.pk == actor.pk:
            raise ValidationError(gettext("You cannot block yourself."), code="self_block")
        if user.has_perm("participation.moderate") or user.is_superuser:
            raise ValidationError(gettext("Moderators and staff cannot be blocked here."), code="privileged")
        if user.blocked_at is not None:
            raise ValidationError(gettext("This account is already blocked."), code="already_blocked")
        user.blocked_at = timezone.now()
        user.blocked_reason = reason
        user.content_hidden_at = user.blocked_at if hide_past else None
        User.objects.filter(pk=user.pk).update(blocked_at=user.blocked_at, blocked_reason=reason,
                                               content_hidden_at=user.content_hidden_at)
        _close_flags(target, FlagStatus.UPHELD)
        _audit(actor=actor, action=ModerationActionKind.BLOCK, target=target, reason=reason)
        publish("moderation.user_blocked", user_id=user.pk)
    return user


def user_unblock(*, actor: User, user_id: int, reason: str = "") -> User:
    require(actor, "participation.moderate", message=gettext("Only moderators can do that."))
    reason = _clean_reason(reason, required=False)
    with transaction.atomic():
        target = target_get(kind=USER_KIND, object_id=user_id, for_update=True)
        user = target.obj
        if user.blocked_at is None:
            raise ValidationError(gettext("This account is not blocked."), code="not_blocked")
        user.blocked_at = None
        user.blocked_reason = ""
        user.content_hidden_at = None
        User.objects.filter(pk=user.pk).update(blocked_at=None, blocked_reason="", content_hidden_at=None)
        _audit(actor=actor, action=ModerationActionKind.UNBLOCK, target=target, reason=reason)
        publish("moderation.user_unblocked", user_id=user.pk)
    return user


def user_block_preview(*, user: User) -> list[tuple[str, int]]:
    """What hiding an account's past content would take off the site: (label, visible items) per kind."""
    from participation.core.registry import registry

    rows = []
    for spec in registry.moderatables.values():
        author_field = getattr(spec.model, "moderation_author_field", "author")
        manager = spec.model.objects
        if not author_field or not hasattr(manager, "visible"):
            continue
        count = manager.visible().filter(**{author_field: user}).count()
        if count:
            rows.append((str(spec.label), count))
    return rows


def audit_record(*, actor: User | None, action: str, kind: str, object_id: int, text: str = "", reason: str = "") -> None:
    """Write an audit entry for a staff action taken elsewhere (e.g. an account deletion)."""
    ModerationAction.objects.create(
        actor=actor, action=action, target_kind=kind, target_id=object_id, target_text=text[:200], reason=reason[:REASON_MAX]
    )
