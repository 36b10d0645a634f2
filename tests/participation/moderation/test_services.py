"""Services in participation/moderation.py: flags, automatic hiding, hide/unhide/dismiss/block, audit log."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from participation.models import Flag, FlagStatus, ModerationAction, Notification
from participation.moderation import services as moderation
from tests.participation.helpers import make_comment, make_proposal, residents


@pytest.fixture
def comment(open_consultation, resident, other_resident):
    proposal = make_proposal(other_resident, open_consultation)
    return make_comment(proposal, resident)


def test_flag_create_and_repeat_gives_one_flag(comment, other_resident):
    flag, created = moderation.flag_create(user=other_resident, kind="comment", object_id=comment.pk, reason="spam")
    assert created
    for _ in range(9):
        again, created_again = moderation.flag_create(
            user=other_resident, kind="comment", object_id=comment.pk, reason="offensive", details="again"
        )
        assert again.pk == flag.pk and not created_again
    assert Flag.objects.filter(kind="comment", object_id=comment.pk).count() == 1
    assert Flag.objects.get().reason == "spam"


def test_database_refuses_a_second_flag(comment, other_resident):
    from django.db import IntegrityError, transaction

    Flag.objects.create(user=other_resident, kind="comment", object_id=comment.pk, reason="spam")
    with pytest.raises(IntegrityError), transaction.atomic():
        Flag.objects.create(user=other_resident, kind="comment", object_id=comment.pk, reason="other")


@pytest.mark.parametrize(("kind", "reason", "details", "error"), [
    ("banana", "spam", "", ValidationError),
    ("comment", "because", "", ValidationError),
    ("comment", "spam", "x" * 1001, ValidationError),
])
def test_bad_flag_input_is_refused(comment, other_resident, kind, reason, details, error):
    with pytest.raises(error):
        moderation.flag_create(user=other_resident, kind=kind, object_id=comment.pk, reason=reason, details=details)
    assert not Flag.objects.exists()


def test_unknown_id_is_404(comment, other_resident):
    with pytest.raises(Http404):
        moderation.flag_create(user=other_resident, kind="comment", object_id=comment.pk + 999, reason="spam")
    with pytest.raises(Http404):
        moderation.flag_create(user=other_resident, kind="comment", object_id=-1, reason="spam")


def test_authors_may_flag_their_own_item_and_it_counts(comment, resident, user_factory, settings):
    """E.g. an author who posted a phone number by mistake; one flag like anyone else's."""
    settings.FLAG_HIDE_THRESHOLD = 3
    _flag, created = moderation.flag_create(user=resident, kind="comment", object_id=comment.pk, reason="personal_info")
    assert created
    for flagger in residents(user_factory, 2):
        moderation.flag_create(user=flagger, kind="comment", object_id=comment.pk, reason="spam")
    comment.refresh_from_db()
    assert comment.hidden_at is not None


def test_anonymous_and_blocked_cannot_flag(comment, other_resident):
    from django.contrib.auth.models import AnonymousUser
    from django.utils import timezone

    with pytest.raises(PermissionDenied):
        moderation.flag_create(user=AnonymousUser(), kind="comment", object_id=comment.pk, reason="spam")
    other_resident.blocked_at = timezone.now()
    other_resident.save()
    with pytest.raises(PermissionDenied):
        moderation.flag_create(user=other_resident, kind="comment", object_id=comment.pk, reason="spam")


def test_three_distinct_flags_hide_the_item_and_tell_the_author(comment, user_factory, settings, django_capture_on_commit_callbacks):
    settings.FLAG_HIDE_THRESHOLD = 3
    flaggers = residents(user_factory, 3)
    proposal = comment.proposal
    proposal.refresh_from_db()
    assert proposal.comment_count == 1
    with django_capture_on_commit_callbacks(execute=True):
        moderation.flag_create(user=flaggers[0], kind="comment", object_id=comment.pk, reason="spam")
        moderation.flag_create(user=flaggers[1], kind="comment", object_id=comment.pk, reason="offensive")
        comment.refresh_from_db()
        assert comment.hidden_at is None
        moderation.flag_create(user=flaggers[2], kind="comment", object_id=comment.pk, reason="spam")
    comment.refresh_from_db()
    assert comment.hidden_at is not None
    assert comment.hidden_reason
    assert not type(comment).objects.visible().filter(pk=comment.pk).exists()
    proposal.refresh_from_db()
    assert proposal.comment_count == 0  # spec.on_visibility_changed recounted
    entry = ModerationAction.objects.get(target_kind="comment", target_id=comment.pk)
    assert entry.action == "auto_hide" and entry.actor is None
    note = Notification.objects.get(recipient=comment.author, verb="moderation.hidden")
    assert "spam" in note.message.lower() or "スパム" in note.message or "宣伝" in note.message
    # Still in the queue for review: flags stay open.
    assert Flag.objects.filter(kind="comment", object_id=comment.pk, status=FlagStatus.OPEN).count() == 3
    # A hidden item cannot be flagged any more.
    fourth = user_factory("flagger4")
    with pytest.raises(Http404):
        moderation.flag_create(user=fourth, kind="comment", object_id=comment.pk, reason="spam")


def test_moderator_hide_unhide_keeps_history(comment, other_resident, moderator):
    moderation.flag_create(user=other_resident, kind="comment", object_id=comment.pk, reason="offensive")
    moderation.item_hide(actor=moderator, kind="comment", object_id=comment.pk, reason="侮辱的な表現")
    comment.refresh_from_db()
    assert comment.hidden_at is not None and comment.hidden_reason == "侮辱的な表現"
    assert Flag.objects.get().status == FlagStatus.UPHELD
    body_before = comment.body
    moderation.item_unhide(actor=moderator, kind="comment", object_id=comment.pk, reason="誤判定")
    comment.refresh_from_db()
    assert comment.hidden_at is None and comment.body == body_before
    assert Flag.objects.count() == 1  # history kept
    actions = list(ModerationAction.objects.order_by("pk").values_list("action", flat=True))
    assert actions == ["hide", "unhide"]
    assert comment.proposal.__class__.objects.get(pk=comment.proposal_id).comment_count == 1


def test_hide_needs_a_reason_and_a_moderator(comment, moderator, other_resident, council_member):
    with pytest.raises(ValidationError):
        moderation.item_hide(actor=moderator, kind="comment", object_id=comment.pk, reason="  ")
    for actor in (other_resident, council_member):
        with pytest.raises(PermissionDenied):
            moderation.item_hide(actor=actor, kind="comment", object_id=comment.pk, reason="x")
    comment.refresh_from_db()
    assert comment.hidden_at is None
    assert not ModerationAction.objects.exists()


def test_unhide_of_a_visible_item_is_refused(comment, moderator):
    with pytest.raises(ValidationError):
        moderation.item_unhide(actor=moderator, kind="comment", object_id=comment.pk)


def test_dismiss_closes_open_flags_only(comment, other_resident, moderator):
    with pytest.raises(ValidationError):
        moderation.flag_dismiss(actor=moderator, kind="comment", object_id=comment.pk)
    moderation.flag_create(user=other_resident, kind="comment", object_id=comment.pk, reason="off_topic")
    moderation.flag_dismiss(actor=moderator, kind="comment", object_id=comment.pk, reason="問題なし")
    assert Flag.objects.get().status == FlagStatus.DISMISSED
    comment.refresh_from_db()
    assert comment.hidden_at is None
    assert ModerationAction.objects.get().action == "dismiss"


def test_dismissed_flags_do_not_count_towards_the_threshold(comment, user_factory, moderator, settings):
    settings.FLAG_HIDE_THRESHOLD = 3
    a, b, c = residents(user_factory, 3)
    moderation.flag_create(user=a, kind="comment", object_id=comment.pk, reason="spam")
    moderation.flag_create(user=b, kind="comment", object_id=comment.pk, reason="spam")
    moderation.flag_dismiss(actor=moderator, kind="comment", object_id=comment.pk)
    moderation.flag_create(user=c, kind="comment", object_id=comment.pk, reason="spam")
    comment.refresh_from_db()
    assert comment.hidden_at is None


def test_block_hides_everything_by_the_author(comment, moderator, resident):
    from proposals.models import Comment

    moderation.user_block(actor=moderator, user_id=resident.pk, reason="荒らし")
    resident.refresh_from_db()
    assert resident.blocked_at is not None and resident.blocked_reason == "荒らし"
    assert not Comment.objects.visible().filter(pk=comment.pk).exists()
    assert not resident.has_perm("participation.act")
    moderation.user_unblock(actor=moderator, user_id=resident.pk)
    assert Comment.objects.visible().filter(pk=comment.pk).exists()
    assert list(ModerationAction.objects.order_by("pk").values_list("action", flat=True)) == ["block", "unblock"]


def test_block_refuses_self_staff_and_missing_reason(moderator, staff_user, resident):
    with pytest.raises(ValidationError):
        moderation.user_block(actor=moderator, user_id=moderator.pk, reason="x")
    with pytest.raises(ValidationError):
        moderation.user_block(actor=moderator, user_id=staff_user.pk, reason="x")
    with pytest.raises(ValidationError):
        moderation.user_block(actor=moderator, user_id=resident.pk, reason="")
    with pytest.raises(PermissionDenied):
        moderation.user_block(actor=resident, user_id=moderator.pk, reason="x")
    with pytest.raises(ValidationError):
        moderation.user_unblock(actor=moderator, user_id=resident.pk)
    assert not ModerationAction.objects.exists()


def test_users_can_be_flagged_but_are_not_hidden_automatically(resident, user_factory, settings):
    settings.FLAG_HIDE_THRESHOLD = 2
    for flagger in residents(user_factory, 3):
        moderation.flag_create(user=flagger, kind="user", object_id=resident.pk, reason="spam")
    resident.refresh_from_db()
    assert resident.blocked_at is None
    assert Flag.objects.filter(kind="user", object_id=resident.pk).count() == 3
    with pytest.raises(ValidationError):
        moderation.flag_create(user=resident, kind="user", object_id=resident.pk, reason="spam")


def test_proposal_flags_hide_the_proposal(open_consultation, resident, user_factory, settings):
    from proposals.models import Proposal

    settings.FLAG_HIDE_THRESHOLD = 3
    proposal = make_proposal(resident, open_consultation)
    for flagger in residents(user_factory, 3):
        moderation.flag_create(user=flagger, kind="proposal", object_id=proposal.pk, reason="spam")
    assert not Proposal.objects.visible().filter(pk=proposal.pk).exists()
