"""Reads for the moderation queue and the audit log (the dashboard's reads live in dashboard.py)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Count, Max, Min, Q, QuerySet

from participation.core.registry import registry
from participation.models import Flag, FlagReason, FlagStatus, ModerationAction, ModerationActionKind, User
from participation.moderation.services import USER_KIND, Target, auto_hide_reason, target_name

QUEUE_STATUSES = ("open", "hidden", "blocked")


@dataclass
class QueueItem:
    target: Target
    flag_count: int = 0
    first_flagged_at: Any = None
    last_flagged_at: Any = None
    flags: list[Flag] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.target.kind

    @property
    def object_id(self) -> int:
        return self.target.object_id

    @property
    def reasons(self) -> list[tuple[str, int]]:
        labels = dict(FlagReason.choices)
        counts = Counter(f.reason for f in self.flags)
        return [(str(labels.get(r, r)), n) for r, n in counts.most_common()]


def _direct_foreign_keys(model) -> list[str]:
    """One level of foreign keys (author, parent item ...), so a spec's text/url/consultation_id
    callables do not query per row."""
    return [f.name for f in model._meta.fields if f.many_to_one and f.concrete]


def _load_targets(pairs: list[tuple[str, int]]) -> dict[tuple[str, int], Target]:
    """Fetch the objects behind (kind, id) pairs: one query per kind."""
    by_kind: dict[str, list[int]] = defaultdict(list)
    for kind, object_id in pairs:
        by_kind[kind].append(object_id)
    targets: dict[tuple[str, int], Target] = {}
    for kind, ids in by_kind.items():
        if kind == USER_KIND:
            spec, qs = None, User.objects.all()
        else:
            spec = registry.moderatables.get(kind)
            if spec is None:  # a kind whose app is no longer installed
                continue
            qs = spec.model._base_manager.select_related(*_direct_foreign_keys(spec.model))
        for obj in qs.filter(pk__in=ids):
            targets[(kind, obj.pk)] = Target(kind, obj, spec)
    return targets


def moderation_queue(*, status: str = "open", kind: str | None = None, consultation_id: int | None = None,
                     attach: bool = True) -> list[QueueItem]:
    """Items needing a moderator, most-flagged first.

    ``open``: items and accounts with open flags (auto-hidden ones included);
    ``hidden``: every hidden item; ``blocked``: blocked accounts. Filters by kind and consultation in the
    database; accounts belong to no consultation.
    """
    if status == "hidden":
        items = _hidden_items(kind, consultation_id)
    elif status == "blocked":
        items = [] if kind not in (None, "", USER_KIND) or consultation_id else _blocked_users()
    else:
        items = _items_for_rows(list(_open_groups(kind, consultation_id)))
    if attach:
        _attach_flags(items)
    return items


def _in_consultation(spec, consultation_id: int) -> QuerySet:
    return spec.model._base_manager.filter(**{spec.consultation_field: consultation_id}).values("pk")


def _open_groups(kind: str | None, consultation_id: int | None = None):
    groups = Flag.objects.filter(status=FlagStatus.OPEN)
    if kind:
        groups = groups.filter(kind=kind)
    if consultation_id:
        condition = Q(pk__in=[])
        for spec_kind, spec in registry.moderatables.items():
            if spec.consultation_field and kind in (None, "", spec_kind):
                condition |= Q(kind=spec_kind, object_id__in=_in_consultation(spec, consultation_id))
        groups = groups.filter(condition)
    return (
        groups.values("kind", "object_id")
        .annotate(n=Count("id"), first=Min("created_at"), last=Max("created_at"))
        .order_by("-n", "first", "kind", "object_id")
    )


def _items_for_rows(rows) -> list[QueueItem]:
    targets = _load_targets([(row["kind"], row["object_id"]) for row in rows])
    items = []
    for row in rows:
        target = targets.get((row["kind"], row["object_id"]))
        if target is not None:
            items.append(QueueItem(target, row["n"], row["first"], row["last"]))
    return items


def moderation_queue_page(*, status: str = "open", kind: str | None = None, consultation_id: int | None = None,
                          page=1, per_page: int = 25):
    """One page of the queue. Open flags page in the database and load only that page's items, with or
    without a consultation filter; hidden items and blocked accounts are at most a few hundred."""
    if status == "open":
        page_obj = Paginator(_open_groups(kind, consultation_id), per_page).get_page(page)
        page_obj.object_list = _items_for_rows(list(page_obj.object_list))
    else:
        page_obj = Paginator(
            moderation_queue(status=status, kind=kind, consultation_id=consultation_id, attach=False), per_page
        ).get_page(page)
    _attach_flags(page_obj.object_list)
    return page_obj


def _hidden_items(kind: str | None, consultation_id: int | None = None) -> list[QueueItem]:
    items = []
    for spec_kind, spec in registry.moderatables.items():
        if kind and spec_kind != kind:
            continue
        qs = spec.model._base_manager.filter(hidden_at__isnull=False).order_by("-hidden_at")
        if consultation_id:
            if not spec.consultation_field:
                continue
            qs = qs.filter(pk__in=_in_consultation(spec, consultation_id))
        qs = qs.select_related(*_direct_foreign_keys(spec.model))
        items.extend(QueueItem(Target(spec_kind, obj, spec)) for obj in qs[:500])
    items.sort(key=lambda item: item.target.obj.hidden_at, reverse=True)
    return items


def _blocked_users() -> list[QueueItem]:
    qs = User.objects.filter(blocked_at__isnull=False).order_by("-blocked_at")[:500]
    return [QueueItem(Target(USER_KIND, user, None)) for user in qs]


def _attach_flags(items: list[QueueItem]) -> None:
    """All flags (any status) of the listed items in one query, newest first."""
    if not items:
        return
    condition = Q()
    for item in items:
        condition |= Q(kind=item.kind, object_id=item.object_id)
    by_target: dict[tuple[str, int], list[Flag]] = defaultdict(list)
    for flag in Flag.objects.filter(condition).select_related("user").order_by("-created_at"):
        by_target[(flag.kind, flag.object_id)].append(flag)
    for item in items:
        item.flags = by_target.get((item.kind, item.object_id), [])
        if not item.flag_count:
            item.flag_count = sum(1 for f in item.flags if f.status == FlagStatus.OPEN)


def queue_item_get(*, kind: str, object_id: int) -> QueueItem:
    """One item with its whole flag history (for the item page)."""
    from participation.moderation.services import target_get

    item = QueueItem(target_get(kind=kind, object_id=object_id))
    _attach_flags([item])
    return item


def open_flag_count() -> int:
    return Flag.objects.filter(status=FlagStatus.OPEN).values("kind", "object_id").distinct().count()


def audit_log_list(*, action: str | None = None, kind: str | None = None) -> QuerySet[ModerationAction]:
    qs = ModerationAction.objects.select_related("actor")
    if action:
        qs = qs.filter(action=action)
    if kind:
        qs = qs.filter(target_kind=kind)
    return qs


def audit_log_for(*, kind: str, object_id: int) -> QuerySet[ModerationAction]:
    return ModerationAction.objects.filter(target_kind=kind, target_id=object_id).select_related("actor")


def audit_reason(entry: ModerationAction) -> str:
    """An entry's reason in the reader's language: an automatic hide's from what it recorded (flags, reasons),
    anything else as the person wrote it."""
    details = entry.details or {}
    if entry.action == ModerationActionKind.AUTO_HIDE and "flags" in details:
        return auto_hide_reason(int(details["flags"]), list(details.get("reasons") or []))
    return entry.reason


def audit_entries_describe(entries) -> list[ModerationAction]:
    """Give each audit entry a translated ``target_label`` ("コメント", "利用者"), a ``target_title``
    (the person's name, the item's title or text), read now in one query per kind, and the ``target_name``
    made of both (``services.target_name``), so the log never shows "comment #150". An item that is gone keeps the text recorded when the action was taken."""
    from participation.moderation.services import moderatable_kinds

    entries = list(entries)
    labels = moderatable_kinds()
    targets = _load_targets([(e.target_kind, e.target_id) for e in entries])
    for entry in entries:
        target = targets.get((entry.target_kind, entry.target_id))
        entry.reason_text = audit_reason(entry)
        entry.target_label = str(labels.get(entry.target_kind, entry.target_kind))
        entry.target_title = (target.text if target is not None else "") or entry.target_text
        entry.target_name = target_name(entry.target_label, entry.target_title)
    return entries
