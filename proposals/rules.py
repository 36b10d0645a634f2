"""Permission names for proposals. Views, the API, templates and the websocket consumer check these."""

from __future__ import annotations

from datetime import timedelta

import rules
from django.conf import settings
from django.utils import timezone

from participation.core.predicates import is_author, is_member, is_staff_member, is_visible, phase_allows


def _consultation(obj):
    if obj is None:
        return None
    if hasattr(obj, "phase_allows"):
        return obj
    if hasattr(obj, "proposal"):
        return obj.proposal.consultation
    return getattr(obj, "consultation", None)


@rules.predicate
def consultation_is_public(user, obj) -> bool:
    """The consultation page (or the item's consultation) is live and public."""
    page = _consultation(obj)
    return bool(page is not None and page.live and not page.get_view_restrictions().exists())


@rules.predicate
def proposal_visible(user, proposal) -> bool:
    return proposal is not None and is_visible(user, proposal)


@rules.predicate
def proposal_open_for_support(user, proposal) -> bool:
    return proposal is not None and proposal.is_supportable_state


@rules.predicate
def proposal_not_withdrawn(user, proposal) -> bool:
    return proposal is not None and not proposal.is_withdrawn


# How long the author can take a withdrawal back (sharp edge 3 of issue 12: withdraw had no undo).
WITHDRAW_UNDO_WINDOW = timedelta(minutes=30)


@rules.predicate
def withdrawn_recently(user, proposal) -> bool:
    return (proposal is not None and proposal.is_withdrawn and proposal.withdrawn_at is not None
            and timezone.now() - proposal.withdrawn_at <= WITHDRAW_UNDO_WINDOW)


@rules.predicate
def within_edit_window(user, obj) -> bool:
    created = getattr(obj, "created_at", None)
    if created is None:
        return False
    return timezone.now() - created <= timedelta(minutes=settings.PROPOSAL_EDIT_WINDOW_MINUTES)


@rules.predicate
def comment_not_deleted(user, comment) -> bool:
    return comment is not None and comment.deleted_at is None


@rules.predicate
def comment_proposal_visible(user, comment) -> bool:
    return comment is not None and is_visible(user, comment.proposal)


@rules.predicate
def comment_phase_allows(user, comment) -> bool:
    return comment is not None and comment.proposal.consultation.phase_allows("comment")


@rules.predicate
def support_phase_allows(user, proposal) -> bool:
    return proposal is not None and proposal.consultation.phase_allows("support")


@rules.predicate
def comment_phase_for_proposal(user, proposal) -> bool:
    return proposal is not None and proposal.consultation.phase_allows("comment")


rules.add_perm("proposals.view_consultation_live", consultation_is_public)
rules.add_perm("proposals.view_proposal", proposal_visible)
rules.add_perm("proposals.add_proposal", is_member & phase_allows("create"))
rules.add_perm(
    "proposals.change_proposal",
    is_member & is_author & proposal_visible & proposal_not_withdrawn & within_edit_window,
)
rules.add_perm("proposals.withdraw_proposal", is_member & is_author & proposal_visible & proposal_not_withdrawn)
rules.add_perm("proposals.undo_withdraw_proposal", is_member & is_author & proposal_visible & withdrawn_recently)
rules.add_perm("proposals.answer_proposal", is_staff_member & proposal_visible)
rules.add_perm(
    "proposals.support_proposal",
    is_member & proposal_visible & proposal_open_for_support & support_phase_allows,
)
rules.add_perm("proposals.follow_proposal", is_member & proposal_visible)
rules.add_perm(
    "proposals.comment_proposal",
    is_member & proposal_visible & proposal_not_withdrawn & comment_phase_for_proposal,
)
rules.add_perm(
    "proposals.change_comment",
    is_member & is_author & is_visible & comment_not_deleted & comment_proposal_visible & comment_phase_allows,
)
rules.add_perm("proposals.delete_comment", is_member & is_author & comment_not_deleted & comment_proposal_visible)
rules.add_perm(
    "proposals.vote_comment",
    is_member & is_visible & comment_not_deleted & comment_proposal_visible & comment_phase_allows,
)
