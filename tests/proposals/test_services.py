import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from participation.core.errors import Conflict
from participation.models import Notification
from proposals import services, tally
from proposals.models import Comment, CommentVote, Follow, Proposal, ProposalState, Support
from tests.proposals.factories import make_comment, make_proposal

pytestmark = pytest.mark.django_db


def test_create_stores_text_as_typed_and_follows(open_consultation, resident):
    p = make_proposal(open_consultation, resident, title="<b>ベンチ</b><script>alert(1)</script>",
                      body='<a href="javascript:alert(1)">click</a> a < b & c')
    assert p.title == "<b>ベンチ</b><script>alert(1)</script>"
    assert p.body == '<a href="javascript:alert(1)">click</a> a < b & c'
    assert Follow.objects.filter(proposal=p, user=resident).exists()
    assert p.consultation_id == open_consultation.pk


def test_create_uses_canonical_page(open_consultation, resident):
    from wagtail.models import Locale

    en = open_consultation.get_translation(Locale.objects.get(language_code="en"))
    p = make_proposal(en, resident)
    assert p.consultation_id == open_consultation.pk


@pytest.mark.parametrize("title,body,field", [
    ("", "本文", "title"),
    (" \x00\r\n\x07 ", "本文", "title"),  # nothing left once control characters go
    ("x" * 151, "本文", "title"),
    ("題名", "", "body"),
    ("題名", "y" * 4001, "body"),
])
def test_create_rejects_bad_input(open_consultation, resident, title, body, field):
    with pytest.raises(ValidationError) as exc:
        make_proposal(open_consultation, resident, title=title, body=body)
    assert field in exc.value.message_dict
    assert not Proposal.objects.exists()


def test_create_unknown_category_and_location(open_consultation, resident):
    with pytest.raises(ValidationError):
        make_proposal(open_consultation, resident, category="no-such-category")
    with pytest.raises(ValidationError):
        make_proposal(open_consultation, resident, latitude=200, longitude=10)
    assert not Proposal.objects.exists()


def test_create_outside_phase(support_consultation, closed_consultation, resident):
    for page in (support_consultation, closed_consultation):
        with pytest.raises(PermissionDenied):
            make_proposal(page, resident)
    assert not Proposal.objects.exists()


def test_proposal_limit(open_consultation, resident):
    open_consultation.proposals_per_user = 1
    open_consultation.save()
    make_proposal(open_consultation, resident)
    with pytest.raises(PermissionDenied):
        make_proposal(open_consultation, resident, title="二つ目")
    assert Proposal.objects.count() == 1


def test_edit_window(open_consultation, resident, other_resident, settings):
    p = make_proposal(open_consultation, resident)
    services.proposal_update(proposal=p, user=resident, title="新しい題名", body="新しい本文")
    p.refresh_from_db()
    assert p.title == "新しい題名" and p.edited_at
    with pytest.raises(PermissionDenied):
        services.proposal_update(proposal=p, user=other_resident, title="乗っ取り", body="x")
    settings.PROPOSAL_EDIT_WINDOW_MINUTES = 0
    Proposal.objects.filter(pk=p.pk).update(created_at=p.created_at.replace(year=2020))
    p.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.proposal_update(proposal=p, user=resident, title="遅すぎ", body="x")


def test_withdraw_then_support_refused(open_consultation, resident, other_resident):
    p = make_proposal(open_consultation, resident)
    with pytest.raises(PermissionDenied):
        services.proposal_withdraw(proposal=p, user=other_resident)
    services.proposal_withdraw(proposal=p, user=resident)
    p.refresh_from_db()
    assert p.state == ProposalState.WITHDRAWN
    with pytest.raises(PermissionDenied, match="withdrawn|取り下げ"):
        services.support_add(proposal=p, user=other_resident)


def test_support_add_remove_and_counts(open_consultation, resident, other_resident):
    p = make_proposal(open_consultation, resident)
    services.support_add(proposal=p, user=other_resident)
    with pytest.raises(Conflict):
        services.support_add(proposal=p, user=other_resident)
    p.refresh_from_db()
    assert p.support_count == 1 == Support.objects.count()
    services.support_remove(proposal=p, user=other_resident)
    with pytest.raises(Conflict):
        services.support_remove(proposal=p, user=other_resident)
    p.refresh_from_db()
    assert p.support_count == 0 == Support.objects.count()


def test_support_limit(open_consultation, resident, other_resident):
    open_consultation.supports_per_user = 1
    open_consultation.save()
    a = make_proposal(open_consultation, resident)
    b = make_proposal(open_consultation, resident, title="別の提案")
    services.support_add(proposal=a, user=other_resident)
    with pytest.raises(PermissionDenied):
        services.support_add(proposal=b, user=other_resident)
    assert Support.objects.count() == 1


def test_support_rejected_and_closed_phase(open_consultation, closed_consultation, resident, other_resident, staff_user):
    p = make_proposal(open_consultation, resident)
    services.proposal_answer(proposal=p, user=staff_user, state=ProposalState.REJECTED, answer="見送ります")
    with pytest.raises(PermissionDenied):
        services.support_add(proposal=p, user=other_resident)
    closed = Proposal.objects.create(consultation=closed_consultation, author=resident, title="t", body="b")
    with pytest.raises(PermissionDenied, match="not open|受け付けていません"):
        services.support_add(proposal=closed, user=other_resident)


def test_answer_notifies_followers(open_consultation, resident, other_resident, staff_user, mailoutbox, django_capture_on_commit_callbacks):
    p = make_proposal(open_consultation, resident)
    services.follow_add(proposal=p, user=other_resident)
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_answer(proposal=p, user=staff_user, state=ProposalState.ACCEPTED, answer="<b>実施します</b>")
    p.refresh_from_db()
    assert p.official_answer == "<b>実施します</b>" and p.state == "accepted"
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"alice", "bob"}
    assert len(mailoutbox) == 2
    with pytest.raises(PermissionDenied):
        services.proposal_answer(proposal=p, user=resident, state="accepted", answer="x")
    with pytest.raises(ValidationError):
        services.proposal_answer(proposal=p, user=staff_user, state="bogus", answer="x")


def test_email_off(open_consultation, resident, other_resident, staff_user, mailoutbox, django_capture_on_commit_callbacks):
    resident.email_notifications = False
    resident.save()
    p = make_proposal(open_consultation, resident)
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_answer(proposal=p, user=staff_user, state="evaluating", answer="検討中")
    assert Notification.objects.filter(recipient=resident).count() == 1
    assert mailoutbox == []


def test_comment_thread_depth_and_reply_notification(open_consultation, resident, other_resident):
    p = make_proposal(open_consultation, resident)
    c1 = make_comment(p, resident)
    c2 = make_comment(p, other_resident, parent=c1.pk)
    c3 = make_comment(p, resident, parent=c2)
    c4 = make_comment(p, other_resident, parent=c3)
    assert [c.depth for c in (c1, c2, c3, c4)] == [1, 2, 3, 3]
    assert c4.parent_id == c2.pk
    assert Notification.objects.filter(recipient=resident, verb="comment_reply").count() == 1
    assert Notification.objects.filter(recipient=other_resident, verb="comment_reply").count() == 1
    p.refresh_from_db()
    assert p.comment_count == 4


@pytest.mark.parametrize("body,stance", [("", "for"), ("x" * 2001, "for"), ("ok", "maybe"), ("\x00 \x1b", "for")])
def test_comment_bad_input(open_consultation, resident, body, stance):
    p = make_proposal(open_consultation, resident)
    with pytest.raises(ValidationError):
        make_comment(p, resident, body=body, stance=stance)
    assert not Comment.objects.exists()


def test_comment_bad_parent(open_consultation, resident):
    p = make_proposal(open_consultation, resident)
    other = make_proposal(open_consultation, resident, title="別")
    c = make_comment(other, resident)
    for parent in (c.pk, 999999, "abc"):
        with pytest.raises(ValidationError):
            make_comment(p, resident, parent=parent)


def test_comment_edit_delete_tombstone(open_consultation, resident, other_resident):
    p = make_proposal(open_consultation, resident)
    c = make_comment(p, resident)
    reply = make_comment(p, other_resident, parent=c)
    with pytest.raises(PermissionDenied):
        services.comment_update(comment=c, user=other_resident, body="改ざん")
    with pytest.raises(PermissionDenied):
        services.comment_delete(comment=c, user=other_resident)
    services.comment_update(comment=c, user=resident, body="修正しました")
    c.refresh_from_db()
    assert c.body == "修正しました" and c.edited_at
    services.comment_delete(comment=c, user=resident)
    c.refresh_from_db()
    assert c.deleted_at and c.body == ""
    assert Comment.objects.filter(pk=reply.pk).exists()
    p.refresh_from_db()
    assert p.comment_count == 1
    with pytest.raises(PermissionDenied):
        services.comment_update(comment=c, user=resident, body="復活")


def test_comment_votes_changeable(open_consultation, resident, other_resident):
    p = make_proposal(open_consultation, resident)
    c = make_comment(p, resident)
    services.comment_vote(comment=c, user=other_resident, value=1)
    services.comment_vote(comment=c, user=other_resident, value=1)
    c.refresh_from_db()
    assert (c.upvotes, c.downvotes) == (1, 0)
    services.comment_vote(comment=c, user=other_resident, value=-1)
    c.refresh_from_db()
    assert (c.upvotes, c.downvotes) == (0, 1)
    services.comment_vote(comment=c, user=other_resident, value=0)
    c.refresh_from_db()
    assert (c.upvotes, c.downvotes) == (0, 0) and not CommentVote.objects.exists()
    with pytest.raises(ValidationError):
        services.comment_vote(comment=c, user=other_resident, value=5)


def test_comments_closed_phase(closed_consultation, resident):
    p = Proposal.objects.create(consultation=closed_consultation, author=resident, title="t", body="b")
    with pytest.raises(PermissionDenied):
        make_comment(p, resident)


def test_reconcile_counts(open_consultation, resident, other_resident, capsys):
    p = make_proposal(open_consultation, resident)
    services.support_add(proposal=p, user=other_resident)
    make_comment(p, other_resident)
    assert tally.counts_reconcile(fix=False) == []
    Proposal.objects.filter(pk=p.pk).update(support_count=7, comment_count=0)
    with pytest.raises(SystemExit) as exc:
        call_command("reconcile_counts", "--check")
    assert exc.value.code == 1
    call_command("reconcile_counts")
    p.refresh_from_db()
    assert (p.support_count, p.comment_count) == (1, 1)
    call_command("reconcile_counts", "--check")
    assert "0 mismatches" in capsys.readouterr().out


def test_hidden_comment_recount(open_consultation, resident):
    from django.utils import timezone

    p = make_proposal(open_consultation, resident)
    c = make_comment(p, resident)
    Comment.objects.filter(pk=c.pk).update(hidden_at=timezone.now())
    c.refresh_from_db()
    services.comment_visibility_changed(c)
    p.refresh_from_db()
    assert p.comment_count == 0
    assert tally.counts_reconcile(fix=False) == []


def test_comment_votes_reach_opinion_groups_with_their_time(open_consultation, resident, other_resident):
    from participation.core.registry import registry

    p = make_proposal(open_consultation, resident)
    c = make_comment(p, resident)
    services.comment_vote(comment=c, user=other_resident, value=1)
    first = CommentVote.objects.get().created_at
    services.comment_vote(comment=c, user=other_resident, value=-1)  # changed: the vote as cast now
    changed = CommentVote.objects.get().created_at
    assert changed >= first
    votes = list(registry.opinion_sources["proposals"].votes(open_consultation.pk))
    assert votes == [(other_resident.pk, f"c{c.pk}", -1, changed.timestamp())]
