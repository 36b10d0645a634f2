"""Demo seeder "moderation": a few flags, one hidden item and one blocked account, so the queue,
the audit log and the dashboard are not empty. Idempotent; works with whatever specs exist."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.utils import timezone

from participation.core.predicates import RESIDENT
from participation.core.registry import registry
from participation.models import Flag, FlagReason, ModerationAction, ModerationActionKind, User

BLOCKED_USERNAME = "blocked1"
BLOCKED_REASON = "宣伝の連続投稿(デモ)"


def _blocked_user(password: str, set_password: bool) -> tuple[User, bool]:
    user, created = User.objects.get_or_create(
        username=BLOCKED_USERNAME,
        defaults={"email": f"{BLOCKED_USERNAME}@example.jp", "display_name": "迷惑ユーザー", "district": "中央"},
    )
    if created or set_password:
        user.set_password(password)
        user.save()
    user.groups.add(Group.objects.get_or_create(name=RESIDENT)[0])
    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    return user, created


def _demo_residents() -> list[User]:
    return list(User.objects.filter(username__in=[f"resident{i}" for i in range(7, 21)]).order_by("pk"))


def _flag(user: User, kind: str, object_id: int, reason: str, details: str = "") -> bool:
    _, created = Flag.objects.get_or_create(
        user=user, kind=kind, object_id=object_id, defaults={"reason": reason, "details": details}
    )
    return created


def _item_author(obj):
    from participation.moderation.services import item_author

    return item_author(obj)


def seed_moderation(*, stdout, password: str, set_password: bool = False, **_) -> None:
    moderator = User.objects.filter(username="moderator").first()
    blocked, _created = _blocked_user(password, set_password)
    flags = hidden = 0
    residents = _demo_residents()
    # A blocked account: flagged by two residents, blocked by the moderator, logged.
    for resident, reason in zip(residents[:2], [FlagReason.SPAM, FlagReason.OFFENSIVE], strict=False):
        flags += _flag(resident, "user", blocked.pk, reason, "同じ宣伝を何度も投稿しています。")
    if blocked.blocked_at is None:
        blocked.blocked_at = timezone.now()
        blocked.blocked_reason = BLOCKED_REASON
        blocked.content_hidden_at = blocked.blocked_at  # a spammer: past posts hidden too
        blocked.save(update_fields=["blocked_at", "blocked_reason", "content_hidden_at"])
        ModerationAction.objects.create(actor=moderator, action=ModerationActionKind.BLOCK, target_kind="user",
                                        target_id=blocked.pk, target_text=blocked.display_name, reason=BLOCKED_REASON)
    for kind in ("comment", "proposal", "report"):
        spec = registry.moderatables.get(kind)
        if spec is None or Flag.objects.filter(kind=kind, user__in=residents).exists():
            continue  # not installed, or seeded before
        items = [
            obj for obj in spec.model.objects.visible().order_by("-pk")[:30]
            if getattr(_item_author(obj), "username", "").startswith("resident")
        ]
        if not items:
            continue
        # One item flagged once (waiting in the queue), one hidden after three flags (comments only).
        first = items[0]
        flaggers = [r for r in residents if r.pk != getattr(_item_author(first), "pk", None)]
        if flaggers:
            flags += _flag(flaggers[-1], kind, first.pk, FlagReason.OFF_TOPIC, "テーマと関係がないように思います。")
        if kind == "comment" and len(items) > 2:
            target = items[2]
            others = [r for r in residents if r.pk != getattr(_item_author(target), "pk", None)][2:5]
            for resident in others:
                flags += _flag(resident, kind, target.pk, FlagReason.PERSONAL_INFO, "個人の電話番号が書かれています。")
            if target.hidden_at is None and not ModerationAction.objects.filter(
                target_kind=kind, target_id=target.pk, action=ModerationActionKind.AUTO_HIDE
            ).exists():
                reason = "住民3人が通報: 個人情報"
                spec.model._base_manager.filter(pk=target.pk).update(hidden_at=timezone.now(), hidden_reason=reason)
                target.refresh_from_db()
                spec.on_visibility_changed(target)  # keeps counters equal to COUNT(*)
                ModerationAction.objects.create(actor=None, action=ModerationActionKind.AUTO_HIDE, target_kind=kind,
                                                target_id=target.pk, target_text=str(spec.text(target))[:200],
                                                reason=reason, details={"flags": 3, "reasons": ["personal_info"]})
                hidden += 1
    spam_items = _blocked_user_content(blocked)
    stdout.write(f"moderation: {flags} flags added, {hidden} items hidden, {spam_items} posts by the blocked demo user {BLOCKED_USERNAME}")


SPAM_TEXTS = ["【限定】今だけ高収入の副業をご紹介!詳しくはプロフィールへ", "格安で不用品を買い取ります。今すぐ連絡を!"]


def _blocked_user_content(blocked: User) -> int:
    """Two comments by the blocked account (cloned from demo comments, text replaced) so that
    "hidden everywhere" has something to hide. Counts stay consistent via on_visibility_changed."""
    spec = registry.moderatables.get("comment")
    if spec is None:
        return 0
    model = spec.model
    author_field = getattr(model, "moderation_author_field", "author")
    if not author_field or "__" in author_field or not hasattr(model, "body"):
        return 0
    if model._base_manager.filter(**{author_field: blocked}).exists():
        return 0
    field_names = {f.name for f in model._meta.get_fields()}
    sources = model.objects.visible().order_by("pk")
    if "parent" in field_names:
        sources = sources.filter(parent__isnull=True)
    created = 0
    for source, text in zip(list(sources[:2]), SPAM_TEXTS, strict=False):
        clone = model._base_manager.get(pk=source.pk)
        clone.pk = None
        clone.id = None
        clone._state.adding = True
        setattr(clone, author_field, blocked)
        clone.body = text
        for counter in ("upvotes", "downvotes"):
            if counter in field_names:
                setattr(clone, counter, 0)
        clone.save()
        spec.on_visibility_changed(clone)
        created += 1
    return created
