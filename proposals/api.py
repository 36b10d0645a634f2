"""JSON API for proposals, supports and comments (mounted at /api/v1/ by the kernel)."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.security import django_auth

from participation.core import consultations, freshness
from participation.core.errors import require
from participation.core.ratelimit import rate_limit_hit
from proposals import selectors, services
from proposals.models import Comment, Proposal
from proposals.sharing import share_consultation, share_proposal

router = Router(tags=["proposals"])


class AuthorOut(Schema):
    name: str


class ProposalOut(Schema):
    id: int
    consultation: int
    title: str
    body: str
    state: str
    state_label: str
    category: str | None
    author: str
    supports: int
    comments: int
    supported_by_me: bool
    followed_by_me: bool
    created_at: datetime
    edited_at: datetime | None
    latitude: float | None
    longitude: float | None
    official_answer: str
    url: str
    image: str | None


class ProposalPage(Schema):
    items: list[ProposalOut]
    count: int
    count_exact: bool = Field(
        True, description="False when a filtered or searched list has more matches than were counted: "
                          "`count` is then a lower bound and `pages` grows as you page on.")
    page: int
    pages: int


class ProposalIn(Schema):
    title: str
    body: str
    category: str | None = None
    latitude: float | None = None
    longitude: float | None = None


class SupportOut(Schema):
    id: int
    supports: int
    supported_by_me: bool


class CommentOut(Schema):
    id: int
    parent: int | None
    depth: int
    author: str | None
    body: str
    stance: str | None = Field(description="for, against or neutral; null for a reply without a stance")
    upvotes: int
    downvotes: int
    my_vote: int | None
    created_at: datetime
    edited: bool
    deleted: bool


class CommentPage(Schema):
    items: list[CommentOut]
    count: int
    page: int
    pages: int


class CommentIn(Schema):
    body: str
    # Omitted: a comment is neutral, a reply has no stance (on edit: unchanged). "" gives a reply no stance.
    stance: str | None = None
    parent: int | None = None


class VoteIn(Schema):
    value: int


def proposal_out(p: Proposal, request=None) -> dict:
    """A proposal as the API shows it; ``url`` and ``image`` are absolute when the request is known, so a
    client on another host can follow them."""
    url = p.get_absolute_url()
    image = p.image.url if p.image else None
    if request is not None:
        url = request.build_absolute_uri(url)
        image = request.build_absolute_uri(image) if image else None
    return {
        "id": p.pk, "consultation": p.consultation_id, "title": p.title, "body": p.body, "state": p.state,
        "state_label": str(p.get_state_display()), "category": p.category.slug if p.category_id else None,
        "author": p.author.public_name, "supports": p.support_count, "comments": p.comment_count,
        "supported_by_me": bool(getattr(p, "supported_by_me", False)),
        "followed_by_me": bool(getattr(p, "followed_by_me", False)),
        "created_at": p.created_at, "edited_at": p.edited_at, "latitude": p.latitude, "longitude": p.longitude,
        "official_answer": p.official_answer, "url": url, "image": image,
    }


def comment_out(c: Comment) -> dict:
    deleted = c.deleted_at is not None
    return {
        "id": c.pk, "parent": c.parent_id, "depth": c.depth, "author": None if deleted else c.author.public_name,
        "body": "" if deleted else c.body, "stance": c.stance or None, "upvotes": c.upvotes, "downvotes": c.downvotes,
        "my_vote": getattr(c, "my_vote", None), "created_at": c.created_at, "edited": c.edited_at is not None,
        "deleted": deleted,
    }


def _consultation(consultation_id: int):
    return consultations.get_or_404(consultation_id)


def _public_consultation_id(consultation_id: int) -> int:
    """The canonical id of this public consultation (or 404), kept under the site's stamp: publishing, moving or
    restricting a page bumps it (participation/core/freshness.py). The list needs no page object."""
    found = freshness.cached(f"proposals:api-consultation:{consultation_id}", [freshness.SITE],
                             lambda: getattr(consultations.get(consultation_id), "pk", None))
    if found is None:
        raise Http404
    return found


def _proposal(request, proposal_id: int) -> Proposal:
    proposal = selectors.proposal_detail(proposal_id=proposal_id, user=request.user)
    if proposal is None or not request.user.has_perm("proposals.view_proposal", proposal):
        raise Http404
    return proposal


def _page_number(page: str | None) -> int:
    if page in (None, ""):
        return 1
    try:
        number = float(page)
    except (TypeError, ValueError):
        raise ValidationError(_("The page must be a number.")) from None
    if number != number:  # NaN
        raise ValidationError(_("The page must be a number."))
    return int(max(1, min(number, 10**9)))


@router.get("/consultations/{consultation_id}/proposals", response=ProposalPage, summary="Proposals of a consultation")
def proposal_list(request, consultation_id: int, sort: str = "newest", category: str = "", state: str = "",
                  q: str = "", page: str | None = None, seed: str = ""):
    consultation_pk = _public_consultation_id(consultation_id)
    try:
        filters = selectors.proposal_filters_clean(
            sort=sort, category=category, state=state, q=q,
            seed=seed or request.session.get("proposal_seed", "0") if hasattr(request, "session") else "0",
        )
    except selectors.BadQuery as exc:
        raise ValidationError(str(exc)) from None
    share_consultation(request, consultation_pk)  # anonymous clients share the answer (pagecache)
    qs = selectors.proposal_list(consultation_id=consultation_pk, filters=filters, user=request.user)
    page_obj = selectors.paginate_proposals(qs, page=_page_number(page), filters=filters,
                                            consultation_id=consultation_pk)
    return {
        "items": [proposal_out(p, request) for p in page_obj.object_list], "count": page_obj.paginator.count,
        "count_exact": not page_obj.paginator.count_is_lower_bound,
        "page": page_obj.number, "pages": page_obj.paginator.num_pages,
    }


@router.post("/consultations/{consultation_id}/proposals", response={201: ProposalOut}, auth=django_auth,
             summary="Publish a proposal")
def proposal_create(request, consultation_id: int, data: ProposalIn):
    consultation = _consultation(consultation_id)
    require(request.user, "proposals.add_proposal", consultation, _("New proposals cannot be posted in this consultation now."))
    rate_limit_hit("proposal", request=request, user=request.user)
    proposal = services.proposal_create(
        author=request.user, consultation=consultation, title=data.title, body=data.body, category=data.category,
        latitude=data.latitude, longitude=data.longitude,
    )
    return Status(201, proposal_out(selectors.proposal_detail(proposal_id=proposal.pk, user=request.user), request))


@router.get("/proposals/{proposal_id}", response=ProposalOut, summary="One proposal")
def proposal_detail(request, proposal_id: int):
    share_proposal(request, proposal_id)
    return proposal_out(_proposal(request, proposal_id), request)


@router.post("/proposals/{proposal_id}/support", response={201: SupportOut}, auth=django_auth,
             summary="Support a proposal")
def support_add(request, proposal_id: int):
    proposal = _proposal(request, proposal_id)
    rate_limit_hit("support", request=request, user=request.user)
    services.support_add(proposal=proposal, user=request.user)
    count = Proposal.objects.values_list("support_count", flat=True).get(pk=proposal.pk)
    return Status(201, {"id": proposal.pk, "supports": count, "supported_by_me": True})


@router.delete("/proposals/{proposal_id}/support", response=SupportOut, auth=django_auth,
               summary="Remove your support")
def support_remove(request, proposal_id: int):
    proposal = _proposal(request, proposal_id)
    rate_limit_hit("support", request=request, user=request.user)
    services.support_remove(proposal=proposal, user=request.user)
    count = Proposal.objects.values_list("support_count", flat=True).get(pk=proposal.pk)
    return {"id": proposal.pk, "supports": count, "supported_by_me": False}


@router.get("/proposals/{proposal_id}/comments", response=CommentPage, summary="Comments (threaded, paginated)")
def comment_list(request, proposal_id: int, page: str | None = None):
    share_proposal(request, proposal_id)
    proposal = _proposal(request, proposal_id)
    page_obj, roots = selectors.comment_thread(proposal_id=proposal.pk, user=request.user, page=_page_number(page))
    items = []

    def walk(comments):
        for c in comments:
            items.append(comment_out(c))
            walk(c.thread_replies)

    walk(roots)
    return {"items": items, "count": page_obj.paginator.count, "page": page_obj.number,
            "pages": page_obj.paginator.num_pages}


@router.post("/proposals/{proposal_id}/comments", response={201: CommentOut}, auth=django_auth,
             summary="Comment on a proposal or reply")
def comment_create(request, proposal_id: int, data: CommentIn):
    proposal = _proposal(request, proposal_id)
    require(request.user, "proposals.comment_proposal", proposal, _("Comments are not open on this proposal now."))
    rate_limit_hit("comment", request=request, user=request.user)
    comment = services.comment_create(proposal=proposal, author=request.user, body=data.body, stance=data.stance,
                                      parent=data.parent)
    return Status(201, comment_out(comment))


def _comment(request, comment_id: int) -> Comment:
    comment = Comment.objects.filter(hidden_at__isnull=True).select_related("proposal__consultation", "author").filter(pk=comment_id).first()
    if comment is None or not request.user.has_perm("proposals.view_proposal", comment.proposal):
        raise Http404
    return comment


@router.patch("/comments/{comment_id}", response=CommentOut, auth=django_auth, summary="Edit your comment")
def comment_update(request, comment_id: int, data: CommentIn):
    comment = _comment(request, comment_id)
    return comment_out(services.comment_update(comment=comment, user=request.user, body=data.body, stance=data.stance))


@router.delete("/comments/{comment_id}", response=CommentOut, auth=django_auth, summary="Delete your comment")
def comment_delete(request, comment_id: int):
    comment = _comment(request, comment_id)
    return comment_out(services.comment_delete(comment=comment, user=request.user))


@router.post("/comments/{comment_id}/vote", response=CommentOut, auth=django_auth, summary="Vote on a comment")
def comment_vote(request, comment_id: int, data: VoteIn):
    comment = _comment(request, comment_id)
    rate_limit_hit("vote", request=request, user=request.user)
    return comment_out(services.comment_vote(comment=comment, user=request.user, value=data.value))
