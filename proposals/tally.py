"""Counters: each proposal's ``support_count`` / ``comment_count`` and each consultation's totals
(``ConsultationTally``), and the check that they equal ``COUNT(*)``.

The services call these in the same transaction as the change they count (``proposal_create``
adds the new proposal, ``support_add`` its support, moderation recomputes): nothing is counted
by a signal, so a write that bypasses the services is found by ``reconcile_counts``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, Subquery

from proposals.models import Comment, ConsultationTally, Proposal, Support
from proposals.selectors import tally_sums


def comment_count_recompute(proposal_id: int) -> None:
    """A proposal's visible, not deleted comments, counted again (moderation hid or unhid one)."""
    Proposal.objects.filter(pk=proposal_id).update(
        comment_count=Comment.objects.filter(proposal_id=proposal_id, deleted_at__isnull=True,
                                             hidden_at__isnull=True).count()
    )


# Consultation totals (ConsultationTally).
#
# Lock order everywhere: the proposal row (its counter UPDATE), then the tally row. Increments run
# after the proposal's own UPDATE, so whether the proposal is hidden is read after any concurrent
# hide committed; a recompute locks the tally row before it counts, so an increment either
# committed before the count (and is in it) or waits and is added on top.


def _tally_actual(consultation_id: int) -> dict[str, int]:
    """The totals from COUNT(*) over the rows (not from the stored per-proposal counters)."""
    visible = Proposal.objects.filter(consultation_id=consultation_id, hidden_at__isnull=True)
    return {
        "proposals": visible.count(),
        "comments": Comment.objects.filter(proposal__in=Subquery(visible.values("pk")), deleted_at__isnull=True,
                                           hidden_at__isnull=True).count(),
        "supports": Support.objects.filter(proposal__in=Subquery(visible.values("pk"))).count(),
    }


def _tally_stored_sums(consultation_id: int) -> dict[str, int]:
    totals = Proposal.objects.filter(consultation_id=consultation_id, hidden_at__isnull=True).aggregate(**tally_sums())
    return {k: v or 0 for k, v in totals.items()}


def tally_recompute(consultation_id: int) -> None:
    """Set the totals from the proposals' counters, under a lock on the tally row (rare: moderation,
    account deletion, a first proposal)."""
    with transaction.atomic():
        if not ConsultationTally.objects.select_for_update().filter(pk=consultation_id).exists():
            try:
                with transaction.atomic():
                    ConsultationTally.objects.create(consultation_id=consultation_id)
            except IntegrityError:  # created concurrently: lock that row instead
                ConsultationTally.objects.select_for_update().get(pk=consultation_id)
        ConsultationTally.objects.filter(pk=consultation_id).update(**_tally_stored_sums(consultation_id))


def tally_apply(consultation_id: int, *, proposals: int = 0, comments: int = 0, supports: int = 0,
                create: bool = True) -> None:
    """Add deltas to the totals, after the change itself was written in the same transaction."""
    updated = ConsultationTally.objects.filter(pk=consultation_id).update(
        proposals=F("proposals") + proposals, comments=F("comments") + comments, supports=F("supports") + supports
    )
    if not updated and create:
        tally_recompute(consultation_id)  # counts this transaction's change already


def tally_apply_for_proposal(proposal_id: int, consultation_id: int, **deltas: int) -> None:
    """Deltas for one proposal's counters; nothing when a moderator has hidden the proposal."""
    if Proposal.objects.filter(pk=proposal_id, hidden_at__isnull=True).exists():
        tally_apply(consultation_id, **deltas)


def _counter_mismatches(model: str, queryset, counts: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The rows whose stored counter differs from its COUNT(*) (``counts``: counter field -> Count)."""
    actual = {f"actual_{field}": expression for field, expression in counts.items()}
    for row in queryset.annotate(**actual).values("pk", *counts, *actual).order_by("pk").iterator():
        for field in counts:
            if row[field] != row[f"actual_{field}"]:
                yield {"model": model, "id": row["pk"], "field": field, "stored": row[field],
                       "actual": row[f"actual_{field}"]}


def counts_reconcile(*, fix: bool = True) -> list[dict[str, Any]]:
    """Compare stored counters with COUNT(*); fix them unless ``fix`` is False. Returns mismatches."""
    visible_comments = Q(comments__deleted_at__isnull=True, comments__hidden_at__isnull=True)
    mismatches = [
        *_counter_mismatches("proposal", Proposal.objects.all(), {
            "support_count": Count("supports", distinct=True),
            "comment_count": Count("comments", filter=visible_comments, distinct=True),
        }),
        *_counter_mismatches("comment", Comment.objects.all(), {
            "upvotes": Count("votes", filter=Q(votes__value=1)),
            "downvotes": Count("votes", filter=Q(votes__value=-1)),
        }),
    ]
    if fix and mismatches:
        with transaction.atomic():
            for m in mismatches:
                model = Proposal if m["model"] == "proposal" else Comment
                model.objects.filter(pk=m["id"]).update(**{m["field"]: m["actual"]})
    # Consultation totals: equal to COUNT(*) of visible proposals, their visible comments and supports.
    consultation_ids = set(Proposal.objects.values_list("consultation_id", flat=True).distinct().order_by())
    stored_tallies = {t.pk: t for t in ConsultationTally.objects.all()}
    for cid in sorted(consultation_ids | set(stored_tallies)):
        actual = _tally_actual(cid)
        tally = stored_tallies.get(cid)
        tally_mismatches = []
        if tally is not None:  # a missing row is not wrong: the page counts live until one exists
            for field, value in actual.items():
                if getattr(tally, field) != value:
                    tally_mismatches.append({"model": "consultation", "id": cid, "field": field,
                                             "stored": getattr(tally, field), "actual": value})
        mismatches.extend(tally_mismatches)
        if fix and (tally_mismatches or tally is None):
            with transaction.atomic():
                ConsultationTally.objects.update_or_create(consultation_id=cid, defaults=actual)
    return mismatches


