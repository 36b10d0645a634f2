"""HTML views: fetch, check the permission name, call one service, render or redirect.

Every page works without JavaScript; static/proposals/*.js only enhances (forms posted in the
background, live counts over the websocket).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from participation.core import consultations, freshness
from participation.core.errors import Conflict, require
from participation.core.http import safe_next
from participation.core.maps import tile_config
from participation.core.photos import refused_status
from participation.core.predicates import is_visible
from participation.core.ratelimit import rate_limit_hit
from proposals import selectors, services
from proposals.forms import AnswerForm, CommentForm, ProposalForm
from proposals.models import Comment, Proposal, ProposalState
from proposals.sharing import share_proposal, shared_until_time_changes

SEED_SESSION_KEY = "proposal_seed"


def _visitor_seed(request) -> str:
    seed = request.session.get(SEED_SESSION_KEY)
    if not seed:
        seed = secrets.token_hex(4)
        request.session[SEED_SESSION_KEY] = seed
    return seed


CARD_TEMPLATE = "proposals/includes/proposal_card.html"
CARD_CACHE_SECONDS = 3600


def _card_key(proposal, threshold: int, template_digest: str) -> str:
    """The key is everything the card shows (title, body, state, category and author names, counts,
    "you support this", language, time zone): a card can never come back stale or for a change it
    does not reflect; hidden proposals never reach this point (the list query drops them)."""
    parts = [
        template_digest, translation.get_language() or "", timezone.get_current_timezone_name(),
        proposal.pk, proposal.title, proposal.body, proposal.state, proposal.created_at.isoformat(),
        proposal.category.localized_name if proposal.category_id else "", proposal.author.public_name,
        proposal.support_count, proposal.comment_count, bool(proposal.supported_by_me), threshold,
    ]
    digest = hashlib.sha256(json.dumps(parts, ensure_ascii=False, default=str).encode()).hexdigest()
    return f"proposals:card:{proposal.pk}:{digest}"


def proposal_cards(proposals, *, threshold: int) -> list[str]:
    """The rendered cards of one list page: one cache round trip, only missing cards rendered.
    Rendering 20 cards through the template costs more than all the page's queries together."""
    proposals = list(proposals)
    template = get_template(CARD_TEMPLATE)  # loader-cached; a changed template has a new digest
    digest = hashlib.sha256(template.template.source.encode()).hexdigest()[:12]
    keys = [_card_key(p, threshold, digest) for p in proposals]
    cached = cache.get_many(keys)
    fresh = {}
    cards = []
    for key, proposal in zip(keys, proposals, strict=True):
        html = cached.get(key)
        if html is None:
            html = fresh[key] = template.render({"proposal": proposal, "threshold": threshold})
        cards.append(mark_safe(html))  # noqa: S308 - rendered by the (auto-escaping) card template
    if fresh:
        cache.set_many(fresh, CARD_CACHE_SECONDS)
    return cards


def consultation_section(request, page):
    """The proposal list on a consultation page (registered with the kernel)."""
    consultation = page.canonical
    params = request.GET
    error = None
    try:
        filters = selectors.proposal_filters_clean(
            sort=params.get("sort"), category=params.get("category"), state=params.get("state"), q=params.get("q"),
            seed=_visitor_seed(request) if params.get("sort") == "random" else "0",
        )
    except selectors.BadQuery as exc:
        error = str(exc)
        filters = selectors.ProposalFilters()
    qs = selectors.proposal_list(consultation_id=consultation.pk, filters=filters, user=request.user)
    counts = selectors.consultation_counts_cached(consultation_id=consultation.pk)
    page_obj = selectors.paginate_proposals(qs, page=params.get("page"), filters=filters,
                                            consultation_id=consultation.pk, counts=counts)
    query = {k: v for k, v in (("sort", filters.sort), ("category", filters.category), ("state", filters.state),
                               ("q", filters.q)) if v and not (k == "sort" and v == selectors.DEFAULT_SORT)}
    return "proposals/proposal_list_section.html", {
        "consultation": consultation,
        "proposals": page_obj.object_list,
        "cards": proposal_cards(page_obj.object_list, threshold=consultation.support_threshold),
        "page_obj": page_obj,
        "query_string": urlencode(query),
        "filters": filters,
        "sorts": selectors.SORTS.items(),
        "states": ProposalState.choices,
        "categories": list(consultation.categories.all()),
        "error": error,
        "counts": counts,
        "can_create": request.user.has_perm("proposals.add_proposal", consultation),
        "phase_create": consultation.phase_allows("create"),
        "supports_left": _supports_left(request.user, consultation),
        "threshold": consultation.support_threshold,
    }


def _supports_left(user, consultation):
    """The user's supports left, kept under their stamp and the consultation's (a support added or removed bumps
    the consultation's after commit)."""
    if not consultation.supports_per_user or not user.is_authenticated:
        return None
    return freshness.cached(
        f"proposals:supports-left:{consultation.pk}:{user.pk}",
        [freshness.user(user.pk), freshness.consultation(consultation.pk)],
        lambda: selectors.user_supports_left(user=user, consultation=consultation),
    )


def _consultation_or_404(consultation_id: int):
    return consultations.get_or_404(consultation_id)


def _proposal_or_404(request, proposal_id: int) -> Proposal:
    proposal = selectors.proposal_detail(proposal_id=proposal_id, user=request.user)
    if proposal is None or not request.user.has_perm("proposals.view_proposal", proposal):
        raise Http404
    return proposal


def _add_errors(form, exc: ValidationError) -> None:
    # The errors keep their codes: a photo too large makes the answer a 413 (refused_status).
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@login_required
def proposal_create_view(request, consultation_id: int):
    consultation = _consultation_or_404(consultation_id)
    require(request.user, "proposals.add_proposal", consultation, _("New proposals cannot be posted in this consultation now."))
    form = ProposalForm(request.POST or None, request.FILES or None, consultation=consultation)
    if request.method == "POST" and form.is_valid():
        try:
            rate_limit_hit("proposal", request=request, user=request.user)
            proposal = services.proposal_create(
                author=request.user, consultation=consultation, title=form.cleaned_data["title"],
                body=form.cleaned_data["body"], category=form.cleaned_data["category"] or None,
                latitude=form.cleaned_data["latitude"], longitude=form.cleaned_data["longitude"],
                photo=form.cleaned_data.get("photo"),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Your proposal was published."))
            return redirect(proposal.get_absolute_url())
    return render(request, "proposals/proposal_form.html", {
        "form": form, "consultation": consultation, "editing": False,
        "similar_url": f"/api/v1/consultations/{consultation.pk}/similar",
        "location_config": location_config(consultation),
    }, status=refused_status(form) if request.method == "POST" else 200)


def location_config(consultation, proposal=None) -> dict:
    """What static/participation/location_picker.js needs: the consultation's map (centre, zoom), the
    tile server (participation.core.maps, the same as the reports map), the pin if any, and its texts."""
    config = {
        "center": [consultation.map_latitude, consultation.map_longitude],
        "zoom": consultation.map_zoom,
        **tile_config(),
        "text": {
            "marker": _("Place of the proposal"),
            # %(lat)s and %(lon)s are filled in by the script.
            "placed": _("Pin placed at latitude %(lat)s, longitude %(lon)s."),
            "cleared": _("The place was removed. The proposal will have no location."),
            "outside": _("Those numbers are not a place on the map: latitude -90 to 90, longitude -180 to 180."),
        },
    }
    if proposal is not None and proposal.latitude is not None:
        config["pin"] = [proposal.latitude, proposal.longitude]
    return config


def proposal_detail_view(request, proposal_id: int, comment_form=None, status=200):
    share_proposal(request, proposal_id)  # anonymous visitors share the page (participation/core/pagecache.py)
    try:
        proposal = _proposal_or_404(request, proposal_id)
    except Http404:
        return proposal_hidden_page(request, proposal_id)  # says so when a moderator hid it; 404 otherwise
    # Phase checks run per comment in the template: the consultation holds its phases in memory (load_phases).
    page_obj, roots = selectors.comment_thread(proposal_id=proposal.pk, user=request.user,
                                               page=request.GET.get("page"), proposal=proposal,
                                               placeholders=True)
    consultation = proposal.consultation
    shared_until_time_changes(request, consultation)
    consultation_title, consultation_url = selectors.consultation_link(consultation)
    return render(request, "proposals/proposal.html", {
        "proposal": proposal,
        "consultation": consultation,
        "consultation_title": consultation_title,
        "consultation_url": consultation_url,
        "comments": roots,
        "page_obj": page_obj,
        "comment_form": comment_form or CommentForm(),
        "answer_form": AnswerForm(initial={"state": proposal.state, "answer": proposal.official_answer}),
        "supports_left": _supports_left(request.user, consultation),
        "threshold": consultation.support_threshold,
        "location_config": location_config(consultation, proposal) if proposal.latitude is not None else None,
        "threshold_percent": min(100, int(proposal.support_count * 100 / consultation.support_threshold))
        if consultation.support_threshold else None,
        "can_undo_withdraw": str(proposal.pk) in request.session.get(UNDO_SESSION_KEY, {})
        and request.user.has_perm("proposals.undo_withdraw_proposal", proposal),
    }, status=status)


@login_required
def proposal_edit_view(request, proposal_id: int):
    proposal = _proposal_or_404(request, proposal_id)
    require(request.user, "proposals.change_proposal", proposal, _("This proposal can no longer be edited."))
    initial = {"title": proposal.title, "body": proposal.body, "category": proposal.category.slug if proposal.category else "",
               "latitude": proposal.latitude, "longitude": proposal.longitude}
    form = ProposalForm(request.POST or None, initial=initial, consultation=proposal.consultation, with_photo=False)
    if request.method == "POST" and form.is_valid():
        try:
            services.proposal_update(
                proposal=proposal, user=request.user, title=form.cleaned_data["title"], body=form.cleaned_data["body"],
                category=form.cleaned_data["category"] or None, latitude=form.cleaned_data["latitude"],
                longitude=form.cleaned_data["longitude"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect(proposal.get_absolute_url())
    return render(request, "proposals/proposal_form.html", {
        "form": form, "consultation": proposal.consultation, "editing": True, "proposal": proposal,
        "location_config": location_config(proposal.consultation),
    }, status=400 if request.method == "POST" else 200)


def _back(proposal_or_url, anchor: str = ""):
    url = proposal_or_url if isinstance(proposal_or_url, str) else proposal_or_url.get_absolute_url()
    return redirect(url + anchor)


def _run(request, func, success: str | None, **kwargs) -> bool:
    try:
        func(**kwargs)
    except (ValidationError, PermissionDenied, Conflict) as exc:
        text = " ".join(exc.messages) if isinstance(exc, ValidationError) else (getattr(exc, "message", None) or str(exc))
        messages.error(request, text or _("You are not allowed to do that."))
        return False
    if success:
        messages.success(request, success)
    return True


UNDO_SESSION_KEY = "proposals.withdrawn"  # {proposal id: state before withdrawal}, for the undo button


@login_required
@require_http_methods(["GET", "POST"])
def proposal_withdraw_view(request, proposal_id: int):
    """A second step before withdrawing (a page, so it works without JavaScript); then undo for a while."""
    proposal = _proposal_or_404(request, proposal_id)
    require(request.user, "proposals.withdraw_proposal", proposal, _("You cannot withdraw this proposal."))
    if request.method == "GET" or request.POST.get("confirm") != "1":
        return render(request, "proposals/proposal_withdraw.html", {"proposal": proposal})
    previous_state = proposal.state
    if _run(request, services.proposal_withdraw, _("Your proposal was withdrawn."), proposal=proposal,
            user=request.user):
        request.session[UNDO_SESSION_KEY] = {**request.session.get(UNDO_SESSION_KEY, {}), str(proposal.pk): previous_state}
    return _back(proposal)


@login_required
@require_POST
def proposal_withdraw_undo_view(request, proposal_id: int):
    proposal = _proposal_or_404(request, proposal_id)
    require(request.user, "proposals.undo_withdraw_proposal", proposal, _("This withdrawal can no longer be undone."))
    remembered = request.session.get(UNDO_SESSION_KEY, {})
    if _run(request, services.proposal_withdraw_undo, _("Your proposal is published again."), proposal=proposal,
            user=request.user, previous_state=remembered.get(str(proposal.pk), "")):
        request.session[UNDO_SESSION_KEY] = {k: v for k, v in remembered.items() if k != str(proposal.pk)}
    return _back(proposal)


@login_required
@require_POST
def proposal_answer_view(request, proposal_id: int):
    proposal = _proposal_or_404(request, proposal_id)
    require(request.user, "proposals.answer_proposal", proposal, _("Only city staff can answer proposals."))
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please choose a valid state."))
        return _back(proposal, "#answer")
    _run(request, services.proposal_answer, _("The answer was published."), proposal=proposal, user=request.user,
         state=form.cleaned_data["state"], answer=form.cleaned_data["answer"])
    return _back(proposal, "#answer")


@login_required
@require_POST
def support_view(request, proposal_id: int):
    proposal = _proposal_or_404(request, proposal_id)
    if request.POST.get("action") == "remove":
        rate_limit_hit("support", request=request, user=request.user)
        _run(request, services.support_remove, _("Your support was removed."), proposal=proposal, user=request.user)
    else:
        # The permission is checked by the service, which says why it refuses (withdrawn, phase closed ...).
        rate_limit_hit("support", request=request, user=request.user)
        _run(request, services.support_add, _("Thank you for your support."), proposal=proposal, user=request.user)
    return _back(safe_next(request) or proposal)


@login_required
@require_POST
def follow_view(request, proposal_id: int):
    proposal = _proposal_or_404(request, proposal_id)
    if request.POST.get("action") == "unfollow":
        _run(request, services.follow_remove, _("You no longer follow this proposal."), proposal=proposal, user=request.user)
    else:
        require(request.user, "proposals.follow_proposal", proposal, _("You cannot follow this proposal."))
        _run(request, services.follow_add, _("You now follow this proposal."), proposal=proposal, user=request.user)
    return _back(proposal)


@login_required
@require_POST
def comment_create_view(request, proposal_id: int):
    proposal = _proposal_or_404(request, proposal_id)
    require(request.user, "proposals.comment_proposal", proposal, _("Comments are not open on this proposal now."))
    form = CommentForm(request.POST, reply=bool(request.POST.get("parent")))
    if form.is_valid():
        try:
            rate_limit_hit("comment", request=request, user=request.user)
            comment = services.comment_create(
                proposal=proposal, author=request.user, body=form.cleaned_data["body"],
                stance=form.cleaned_data["stance"], parent=form.cleaned_data["parent"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Your comment was posted."))
            return _back(proposal, f"#comment-{comment.pk}")
    return proposal_detail_view(request, proposal_id, comment_form=form, status=400)


def _comment_or_404(request, comment_id: int) -> Comment:
    comment = (
        Comment.objects.filter(hidden_at__isnull=True, pk=comment_id)
        .select_related("proposal__consultation", "proposal__author", "author").first()
    )
    if comment is None or not request.user.has_perm("proposals.view_proposal", comment.proposal):
        raise Http404
    return comment


@login_required
def comment_edit_view(request, comment_id: int):
    comment = _comment_or_404(request, comment_id)
    require(request.user, "proposals.change_comment", comment, _("You cannot edit this comment."))
    form = CommentForm(request.POST or None, initial={"body": comment.body, "stance": comment.stance},
                       reply=comment.parent_id is not None)
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_update(comment=comment, user=request.user, body=form.cleaned_data["body"],
                                    stance=form.cleaned_data["stance"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Your comment was updated."))
            return _back(comment.proposal, f"#comment-{comment.pk}")
    return render(request, "proposals/comment_form.html", {"form": form, "comment": comment},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def comment_delete_view(request, comment_id: int):
    comment = _comment_or_404(request, comment_id)
    require(request.user, "proposals.delete_comment", comment, _("You cannot delete this comment."))
    _run(request, services.comment_delete, _("Your comment was deleted."), comment=comment, user=request.user)
    return _back(comment.proposal, f"#comment-{comment.pk}")


@login_required
@require_POST
def comment_vote_view(request, comment_id: int):
    comment = _comment_or_404(request, comment_id)
    require(request.user, "proposals.vote_comment", comment, _("You cannot vote on this comment now."))
    rate_limit_hit("vote", request=request, user=request.user)
    _run(request, services.comment_vote, None, comment=comment, user=request.user, value=request.POST.get("value"))
    return _back(comment.proposal, f"#comment-{comment.pk}")


def proposal_url(proposal_id: int) -> str:
    return reverse("proposals:detail", args=[proposal_id])


# --- Hidden proposals and the resident's own activity (issue 12, sharp edge 6) ------------------


def proposal_hidden_page(request, proposal_id: int):
    """A proposal hidden by moderation answers 404 (it is not public) with a page that says so, instead
    of looking as if it never existed: residents who commented on it, or follow it from a notification,
    learn what happened, and where their own comments are. Nothing of the proposal itself is shown."""
    hidden = selectors.proposal_hidden_by_moderation(proposal_id=proposal_id)
    if hidden is None:
        raise Http404
    return render(request, "proposals/proposal_hidden.html", {
        "consultation": consultations.get(hidden.consultation_id),
        "proposal_id": hidden.pk,
    }, status=404)


ACTIVITY_PAGE_SIZE = 30


def _hidden_by_moderation(obj) -> bool:
    return obj is not None and not is_visible(None, obj)


@login_required
def activity_view(request):
    """The resident's own proposals and comments, with what became of them: a comment on a proposal (or
    in answer to a comment) that a moderator hid stays findable here, with a note that says so."""
    proposals = list(selectors.activity_proposals(user=request.user)[:100])
    page_obj = Paginator(selectors.activity_comments(user=request.user), ACTIVITY_PAGE_SIZE).get_page(
        request.GET.get("page"))
    comments = list(page_obj.object_list)
    ids = {p.consultation_id for p in proposals} | {c.proposal.consultation_id for c in comments}
    titles = consultations.titles(list(ids), translation.get_language())
    for proposal in proposals:
        proposal.hidden_by_moderation = _hidden_by_moderation(proposal)
        proposal.consultation_title = titles.get(proposal.consultation_id, "")
    for comment in comments:
        comment.proposal_hidden = _hidden_by_moderation(comment.proposal)
        comment.parent_hidden = _hidden_by_moderation(comment.parent)
        comment.consultation_title = titles.get(comment.proposal.consultation_id, "")
    return render(request, "proposals/activity.html", {
        "proposals": proposals, "comments": comments, "page_obj": page_obj, "query_string": "",
    })
