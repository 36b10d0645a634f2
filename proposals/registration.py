"""How proposals plug into the kernel: pages, API, websocket route, consultation section, moderation, metrics,
opinion sources, open data, account data, live counts and demo data."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from participation.core import live
from participation.core.events import subscribe
from participation.core.registry import (
    AccountDataSpec,
    ExportSpec,
    MetricSpec,
    ModeratableSpec,
    NavItem,
    OpinionSource,
    registry,
)


def pseudonym(user_id: int | None) -> str:
    """A keyed hash: stable across exports, not reversible without SECRET_KEY."""
    if user_id is None:
        return ""
    return hmac.new(settings.SECRET_KEY.encode(), f"user:{user_id}".encode(), hashlib.sha256).hexdigest()[:16]


# --- Live counts ----------------------------------------------------------------------------


def broadcast_change(event_name: str, payload: dict[str, Any]) -> None:
    """After commit: announce the proposal's new counts (unless hidden) and the consultation totals."""
    from proposals.models import Proposal
    from proposals.selectors import consultation_counts

    consultation_id = payload.get("consultation_id")
    proposal_id = payload.get("proposal_id")
    if consultation_id is None:
        return
    group = live.group_name("consultation", consultation_id)
    proposal = Proposal.objects.visible().filter(pk=proposal_id).values("pk", "support_count", "comment_count").first()
    if proposal is not None:
        live.broadcast(group, {"type": "proposal", "id": proposal["pk"], "supports": proposal["support_count"],
                               "comments": proposal["comment_count"]})
    live.broadcast(group, consultation_counts(consultation_id=consultation_id))


# --- Opinion source -------------------------------------------------------------------------


def opinion_items(consultation_id: int):
    from django.utils.timezone import localdate

    from proposals.models import Comment, Proposal, ProposalState

    proposals = (
        Proposal.objects.visible().filter(consultation_id=consultation_id).exclude(state=ProposalState.WITHDRAWN)
        .only("pk", "title", "body", "created_at").order_by("pk")
    )
    for p in proposals:
        yield {"id": f"p{p.pk}", "text": f"{p.title}\n{p.body}", "url": p.get_absolute_url(), "kind": "proposal",
               "date": localdate(p.created_at).isoformat()}
    comments = (
        Comment.objects.visible().filter(
            proposal__consultation_id=consultation_id, proposal__hidden_at__isnull=True, deleted_at__isnull=True
        ).exclude(proposal__state=ProposalState.WITHDRAWN).only("pk", "body", "proposal_id", "created_at").order_by("pk")
    )
    for c in comments:
        yield {"id": f"c{c.pk}", "text": c.body, "url": f"/proposals/{c.proposal_id}/#comment-{c.pk}", "kind": "comment",
               "date": localdate(c.created_at).isoformat()}


def opinion_visible(consultation_id: int, ids: set[str]) -> dict[str, str]:
    """{id: url} of those of ``ids`` ("p<pk>", "c<pk>") that ``opinion_items`` would still list: by primary key,
    two small queries at most, whatever the number of texts in the consultation."""
    from proposals.models import Comment, Proposal, ProposalState

    def pks(prefix):
        return [int(i[1:]) for i in ids if i.startswith(prefix) and i[1:].isdigit() and len(i) < 19]

    found = {}
    proposal_pks, comment_pks = pks("p"), pks("c")
    if proposal_pks:
        proposals = (
            Proposal.objects.visible().filter(consultation_id=consultation_id, pk__in=proposal_pks)
            .exclude(state=ProposalState.WITHDRAWN).only("pk", "title", "body")
        )
        found.update({f"p{p.pk}": p.get_absolute_url() for p in proposals if f"{p.title}\n{p.body}".strip()})
    if comment_pks:
        comments = (
            Comment.objects.visible().filter(
                pk__in=comment_pks, proposal__consultation_id=consultation_id, proposal__hidden_at__isnull=True,
                deleted_at__isnull=True,
            ).exclude(proposal__state=ProposalState.WITHDRAWN).only("pk", "body", "proposal_id")
        )
        found.update({f"c{c.pk}": f"/proposals/{c.proposal_id}/#comment-{c.pk}" for c in comments if c.body.strip()})
    return found


def opinion_votes(consultation_id: int):
    from proposals.models import CommentVote, ProposalState

    rows = (
        CommentVote.objects.filter(
            comment__proposal__consultation_id=consultation_id, comment__hidden_at__isnull=True,
            comment__deleted_at__isnull=True, comment__author__content_hidden_at__isnull=True,
            comment__proposal__hidden_at__isnull=True,
        ).exclude(comment__proposal__state=ProposalState.WITHDRAWN)
        .values_list("user_id", "comment_id", "value", "created_at").order_by("pk")
    )
    # With its time, so the analysis replays the votes in order as Polis's updates do (ml/polis_history.py).
    for user_id, comment_id, value, created_at in rows.iterator():
        yield (user_id, f"c{comment_id}", int(value), created_at.timestamp())


# --- Open data ------------------------------------------------------------------------------

PROPOSAL_FIELDS = {
    "id": _("Proposal number"),
    "consultation_id": _("Consultation page id"),
    "category": _("Category slug (empty when none)"),
    "title": _("Title as written by the resident"),
    "body": _("Text of the proposal"),
    "state": _("published, evaluating, accepted, rejected or withdrawn"),
    "author": _("Pseudonymous author key (keyed hash; the same person has the same key in every table)"),
    "supports": _("Number of supports"),
    "comments": _("Number of visible comments"),
    "latitude": _("Latitude (WGS84) if the author gave a location"),
    "longitude": _("Longitude (WGS84) if the author gave a location"),
    "created_at": _("Publication time (ISO 8601, UTC)"),
    "official_answer": _("The city's public answer, if any"),
}
COMMENT_FIELDS = {
    "id": _("Comment number"),
    "proposal_id": _("Proposal number"),
    "parent_id": _("Comment replied to (empty for top-level comments)"),
    "author": _("Pseudonymous author key"),
    "stance": _("for, against or neutral; empty for a reply without a stance of its own"),
    "body": _("Text of the comment (empty when deleted)"),
    "upvotes": _("Up votes"),
    "downvotes": _("Down votes"),
    "created_at": _("Time written (ISO 8601, UTC)"),
}


def export_proposals():
    from proposals.models import Proposal

    qs = Proposal.objects.visible().select_related("category").order_by("pk")
    for p in qs.iterator(chunk_size=500):
        yield {
            "id": p.pk, "consultation_id": p.consultation_id, "category": p.category.slug if p.category else "",
            "title": p.title, "body": p.body, "state": p.state, "author": pseudonym(p.author_id),
            "supports": p.support_count, "comments": p.comment_count, "latitude": p.latitude,
            "longitude": p.longitude, "created_at": p.created_at.isoformat(), "official_answer": p.official_answer,
        }


def export_comments():
    from proposals.models import Comment

    qs = Comment.objects.visible().filter(proposal__hidden_at__isnull=True, proposal__author__content_hidden_at__isnull=True)
    for c in qs.order_by("pk").iterator(chunk_size=500):
        yield {
            "id": c.pk, "proposal_id": c.proposal_id, "parent_id": c.parent_id or "", "author": pseudonym(c.author_id),
            "stance": c.stance, "body": "" if c.deleted_at else c.body, "upvotes": c.upvotes,
            "downvotes": c.downvotes, "created_at": c.created_at.isoformat(),
        }


# --- Account data ---------------------------------------------------------------------------


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def account_export(user):
    """Everything the resident entered (the location and photo of a proposal included) and what they did."""
    from participation.core.photo_files import photo_file_exists, photo_file_open
    from proposals.models import Comment, CommentVote, Follow, Proposal, Support

    files: list[tuple[str, bytes]] = []
    proposals = []
    for p in Proposal.objects.filter(author=user).select_related("category").order_by("pk"):
        photo = None
        if p.image and photo_file_exists(p.image.name):
            photo = f"proposals/{p.pk}/{p.image.name.rsplit('/', 1)[-1]}"
            with photo_file_open(p.image.name) as handle:
                files.append((photo, handle.read()))
        proposals.append({
            "id": p.pk, "consultation_id": p.consultation_id, "title": p.title, "body": p.body,
            "category": p.category.slug if p.category else None,
            "category_name": p.category.name if p.category else None, "latitude": p.latitude, "longitude": p.longitude,
            "photo": photo, "state": p.state, "created_at": p.created_at.isoformat(), "edited_at": _iso(p.edited_at),
            "withdrawn_at": _iso(p.withdrawn_at),
        })
    data = {
        "proposals": proposals,
        "comments": [
            {"id": c.pk, "proposal_id": c.proposal_id, "parent_id": c.parent_id, "body": c.body, "stance": c.stance,
             "created_at": c.created_at.isoformat(), "edited_at": _iso(c.edited_at), "deleted": c.deleted_at is not None}
            for c in Comment.objects.filter(author=user).order_by("pk")
        ],
        "supports": [
            {"proposal_id": s.proposal_id, "created_at": s.created_at.isoformat()}
            for s in Support.objects.filter(user=user).order_by("pk")
        ],
        "comment_votes": list(CommentVote.objects.filter(user=user).values("comment_id", "value")),
        "follows": list(Follow.objects.filter(user=user).values_list("proposal_id", flat=True)),
    }
    return data, files


def account_anonymise(user) -> None:
    """Content stays (shown as "deleted user"); supports and votes go, counters follow."""
    from proposals.models import Comment, CommentVote, Follow, Proposal, Support
    from proposals.tally import tally_recompute

    with transaction.atomic():
        for proposal_id in list(Support.objects.filter(user=user).values_list("proposal_id", flat=True)):
            Proposal.objects.filter(pk=proposal_id).update(support_count=F("support_count") - 1)
        consultation_ids = set(Support.objects.filter(user=user).values_list("consultation_id", flat=True))
        Support.objects.filter(user=user).delete()
        for consultation_id in sorted(consultation_ids):
            tally_recompute(consultation_id)
        for comment_id, value in list(CommentVote.objects.filter(user=user).values_list("comment_id", "value")):
            field = "upvotes" if value == 1 else "downvotes"
            Comment.objects.filter(pk=comment_id).update(**{field: F(field) - 1})
        CommentVote.objects.filter(user=user).delete()
        Follow.objects.filter(user=user).delete()


def register() -> None:
    """Called from ProposalsConfig.ready()."""
    from django.urls import path

    from proposals import selectors, services
    from proposals.api import router
    from proposals.consumers import ConsultationCountsConsumer
    from proposals.demo import seed_proposals
    from proposals.models import Comment, Proposal
    from proposals.similar import router as similar_router
    from proposals.views import consultation_section

    registry.add_urls("proposals/", "proposals.urls")
    registry.add_urls("me/activity/", "proposals.activity_urls", translated=True)
    registry.add_nav_item(NavItem("proposals_activity:index", _("My activity"), order=890, permission="participation.act"))
    registry.add_api_router("/", router)
    registry.add_api_router("/", similar_router)
    registry.add_websocket_routes([
        path("ws/consultations/<int:consultation_id>/", ConsultationCountsConsumer.as_asgi()),
    ])
    registry.add_consultation_section(consultation_section, order=10)
    registry.add_demo_seeder("proposals", seed_proposals, order=30)
    registry.add("consultation_counts", "proposals",
                 lambda ids: selectors.consultation_counts_many(consultation_ids=ids))

    registry.add("moderatables", "proposal", ModeratableSpec(
        kind="proposal", model=Proposal, label=_("Proposal"), url=lambda p: p.get_absolute_url(),
        text=lambda p: f"{p.title}: {p.body[:160]}", consultation_field="consultation_id",
        on_visibility_changed=services.proposal_visibility_changed,
    ))
    registry.add("moderatables", "comment", ModeratableSpec(
        kind="comment", model=Comment, label=_("Comment"), url=lambda c: c.get_absolute_url(),
        text=lambda c: c.body[:200], consultation_field="proposal__consultation_id",
        on_visibility_changed=services.comment_visibility_changed,
    ))
    registry.add("metrics", "proposals", MetricSpec(
        label=_("Proposals"), total=selectors.metric_proposals_total,
        per_consultation=selectors.metric_proposals_per_consultation, daily=selectors.metric_proposals_daily,
        headline=True,
    ))
    registry.add("metrics", "comments", MetricSpec(
        label=_("Comments"), total=selectors.metric_comments_total,
        per_consultation=selectors.metric_comments_per_consultation, daily=selectors.metric_comments_daily,
        headline=True,
    ))
    registry.add("metrics", "supports", MetricSpec(
        label=_("Supports"), total=selectors.metric_supports_total,
        per_consultation=selectors.metric_supports_per_consultation, daily=selectors.metric_supports_daily,
        headline=True,
    ))
    registry.add("metrics", "participants", MetricSpec(
        label=_("Participants"), total=selectors.metric_participants_total,
        per_consultation=selectors.metric_participants_per_consultation,
        daily=selectors.metric_participants_daily,
    ))
    registry.headline_counts["proposals"] = (_("Proposals"), selectors.metric_proposals_total)
    registry.headline_counts["comments"] = (_("Comments"), selectors.metric_comments_total)
    registry.headline_counts["supports"] = (_("Supports"), selectors.metric_supports_total)
    registry.add("opinion_sources", "proposals", OpinionSource(
        label=_("Proposals and comments"), items=opinion_items, votes=opinion_votes, visible=opinion_visible,
        kinds={"proposal": _("Proposals"), "comment": _("Comments on proposals")},
    ))
    registry.add("exports", "proposals", ExportSpec(label=_("Proposals"), fields=PROPOSAL_FIELDS, rows=export_proposals))
    registry.add("exports", "comments", ExportSpec(label=_("Comments on proposals"), fields=COMMENT_FIELDS,
                                                    rows=export_comments))
    registry.add("account_data", "proposals", AccountDataSpec(export=account_export, anonymise=account_anonymise))
    for event in services.ALL_EVENTS:
        subscribe(event, broadcast_change)
    subscribe("moderation.user_blocked", services.on_author_block_changed)
    subscribe("moderation.user_unblocked", services.on_author_block_changed)

