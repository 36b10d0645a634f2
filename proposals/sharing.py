"""Which proposal answers anonymous visitors may share (participation/core/pagecache.py, issue 17).

A list, a proposal and its comments show the site (pages, phases, blocked users) and their consultation
(proposals, supports, comments, moderation, results), so they are shared while the stamps of both are
current. Views call these before they read what they show."""

from __future__ import annotations

from participation.core import freshness, pagecache
from proposals.models import Proposal


def share_consultation(request, consultation_id: int, *, timeout: int | None = None) -> None:
    if pagecache.enabled():  # marked for everybody: a signed-in client's answer is then said to be private
        pagecache.mark(request, scopes=[freshness.SITE, freshness.consultation(consultation_id)], timeout=timeout)


def share_proposal(request, proposal_id: int) -> None:
    """Mark a proposal's answer; its consultation is looked up once (a proposal never changes consultation)."""
    if not pagecache.enabled():
        return
    if not pagecache.wanted(request):
        pagecache.mark(request, scopes=[])  # never stored; its headers say it is private
        return
    consultation_id = freshness.cached(
        f"proposals:consultation-of:{proposal_id}", [],
        lambda: Proposal.objects.filter(pk=proposal_id).values_list("consultation_id", flat=True).first(),
        timeout=300,
    )
    if consultation_id is not None:
        share_consultation(request, consultation_id)


def shared_until_time_changes(request, consultation) -> None:
    """A page that shows the phase (comments open, supports open) is shared until the next phase starts or ends."""
    seconds = getattr(consultation, "seconds_until_time_changes_it", None)
    if pagecache.wanted(request) and seconds is not None:
        pagecache.expire_within(request, seconds())
