"""Every permission name, for every role, before/during/after a phase (proposals / support / closed)."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from proposals.models import Comment, Proposal, ProposalState

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(demo_pages, resident, other_resident, moderator, staff_user, council_member, user_factory):
    blocked = user_factory("blocked")
    blocked.blocked_at = timezone.now()
    blocked.save()
    users = {"anonymous": AnonymousUser(), "author": resident, "resident": other_resident, "moderator": moderator,
             "staff": staff_user, "council": council_member, "blocked": blocked}
    phases = {}
    for name, page in zip(("proposals", "support", "closed"), demo_pages, strict=False):
        p = Proposal.objects.create(consultation=page, author=resident, title="t", body="b")
        c = Comment.objects.create(proposal=p, author=resident, body="c")
        phases[name] = (page, p, c)
    return users, phases


def check(users, perm, obj, allowed: set[str]):
    got = {name for name, user in users.items() if user.has_perm(perm, obj)}
    assert got == allowed, f"{perm}: {got} != {allowed}"


MEMBERS = {"author", "resident", "moderator", "staff", "council"}


def test_add_proposal(world):
    users, phases = world
    check(users, "proposals.add_proposal", phases["proposals"][0], MEMBERS)
    check(users, "proposals.add_proposal", phases["support"][0], set())
    check(users, "proposals.add_proposal", phases["closed"][0], set())


def test_support_proposal(world):
    users, phases = world
    check(users, "proposals.support_proposal", phases["proposals"][1], MEMBERS)
    check(users, "proposals.support_proposal", phases["support"][1], MEMBERS)
    check(users, "proposals.support_proposal", phases["closed"][1], set())
    p = phases["support"][1]
    for state in (ProposalState.WITHDRAWN, ProposalState.REJECTED):
        p.state = state
        check(users, "proposals.support_proposal", p, set())


def test_comment_and_vote(world):
    users, phases = world
    for phase, allowed in (("proposals", MEMBERS), ("support", MEMBERS), ("closed", set())):
        _page, p, c = phases[phase]
        check(users, "proposals.comment_proposal", p, allowed)
        check(users, "proposals.vote_comment", c, allowed)
        check(users, "proposals.change_comment", c, {"author"} if allowed else set())
        check(users, "proposals.delete_comment", c, {"author"})
    c = phases["proposals"][2]
    c.deleted_at = timezone.now()
    check(users, "proposals.vote_comment", c, set())
    check(users, "proposals.delete_comment", c, set())


def test_change_withdraw_answer(world, settings):
    users, phases = world
    for phase in ("proposals", "support", "closed"):
        p = phases[phase][1]
        check(users, "proposals.change_proposal", p, {"author"})
        check(users, "proposals.withdraw_proposal", p, {"author"})
        check(users, "proposals.answer_proposal", p, {"staff"})
    p = phases["proposals"][1]
    p.created_at = timezone.now() - timedelta(minutes=settings.PROPOSAL_EDIT_WINDOW_MINUTES + 1)
    check(users, "proposals.change_proposal", p, set())
    p.state = ProposalState.WITHDRAWN
    check(users, "proposals.withdraw_proposal", p, set())


def test_hidden_is_invisible(world):
    users, phases = world
    p = phases["proposals"][1]
    check(users, "proposals.view_proposal", p, set(users))
    p.hidden_at = timezone.now()
    for perm in ("proposals.view_proposal", "proposals.support_proposal", "proposals.comment_proposal",
                 "proposals.change_proposal", "proposals.answer_proposal"):
        check(users, perm, p, set())


def test_view_consultation_live(world):
    users, phases = world
    page = phases["closed"][0]
    check(users, "proposals.view_consultation_live", page, set(users))
    page.live = False
    check(users, "proposals.view_consultation_live", page, set())
