"""The "moderation" demo seeder: flags, one hidden item, a blocked account with posts; idempotent."""

from __future__ import annotations

import io

from django.core.management import call_command

from participation.models import Flag, ModerationAction, User


def test_seed_demo_moderation_is_idempotent(db):
    out = io.StringIO()
    call_command("seed_demo", "--password", "demo-pass-2026", "--only", "accounts", "pages", "proposals", "moderation",
                 stdout=out)
    from proposals.models import Comment
    from proposals.tally import counts_reconcile

    blocked = User.objects.get(username="blocked1")
    assert blocked.blocked_at is not None and blocked.display_name == "迷惑ユーザー"
    assert Flag.objects.filter(kind="user", object_id=blocked.pk).count() == 2
    assert Flag.objects.filter(kind="comment").exists()
    hidden = Comment.objects.filter(hidden_at__isnull=False)
    assert hidden.count() == 1
    assert Flag.objects.filter(kind="comment", object_id=hidden.get().pk).count() == 3
    assert Comment.objects.filter(author=blocked).count() == 2
    assert not Comment.objects.visible().filter(author=blocked).exists()
    assert ModerationAction.objects.filter(action="block").count() == 1
    assert counts_reconcile(fix=False) == []
    counts = (Flag.objects.count(), ModerationAction.objects.count(), Comment.objects.count())
    call_command("seed_demo", "--only", "moderation", stdout=out)
    assert (Flag.objects.count(), ModerationAction.objects.count(), Comment.objects.count()) == counts
    assert "moderation: 0 flags added, 0 items hidden, 0 posts" in out.getvalue()
