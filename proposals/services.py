"""Writes for proposals, comments, votes, supports and follows.

Each service: check the permission name and lock → write (counters with ``F()``) → publish an
event that subscribers receive after commit. Errors are ``ValidationError`` (bad input),
``PermissionDenied`` (not allowed now, with a message) or ``participation.core.errors.Conflict``
(already done).
"""

from __future__ import annotations

import html
from typing import Any

import nh3
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from participation.accounts.notifications import notification_send
from participation.core.errors import Conflict, require
from participation.core.events import publish
from proposals.models import (
    BODY_MAX,
    COMMENT_MAX,
    MAX_COMMENT_DEPTH,
    TITLE_MAX,
    Comment,
    CommentVote,
    ConsultationTally,
    Follow,
    Proposal,
    ProposalState,
    Stance,
    Support,
)
from proposals.selectors import tally_sums

EVENT_PROPOSAL_CHANGED = "proposals.proposal_changed"
EVENT_SUPPORT_CHANGED = "proposals.support_changed"
EVENT_COMMENT_CHANGED = "proposals.comment_changed"
ALL_EVENTS = (EVENT_PROPOSAL_CHANGED, EVENT_SUPPORT_CHANGED, EVENT_COMMENT_CHANGED)


def clean_text(value: Any) -> str:
    """Plain text from user input: nh3 with an empty tag allowlist (scripts and their content go,
    other tags are stripped, no links survive), entities turned back into characters so that
    escaping on output shows exactly what the person typed."""
    text = "" if value is None else str(value)
    text = text.replace("\r\n", "\n").replace("\x00", "")
    return html.unescape(nh3.clean(text, tags=set())).strip()


def _clean_title_body(title, body) -> tuple[str, str]:
    errors: dict[str, list] = {}
    raw_title = "" if title is None else str(title)
    raw_body = "" if body is None else str(body)
    title_text, body_text = clean_text(raw_title), clean_text(raw_body)
    if not title_text:
        errors["title"] = [_("Please enter a title.")]
    elif len(title_text) > TITLE_MAX:
        errors["title"] = [_("The title can have at most %(max)d characters (it has %(n)d).") % {"max": TITLE_MAX, "n": len(title_text)}]
    if not body_text:
        errors["body"] = [_("Please describe your proposal.")]
    elif len(body_text) > BODY_MAX:
        errors["body"] = [_("The proposal can have at most %(max)d characters (it has %(n)d).") % {"max": BODY_MAX, "n": len(body_text)}]
    if errors:
        raise ValidationError(errors)
    return title_text, body_text


def _clean_location(latitude, longitude) -> tuple[float | None, float | None]:
    if latitude in (None, "") and longitude in (None, ""):
        return None, None
    if latitude in (None, "") or longitude in (None, ""):
        missing = "latitude" if latitude in (None, "") else "longitude"
        raise ValidationError({missing: [_("Give both latitude and longitude, or leave both empty.")]})
    try:
        lat, lon = float(latitude), float(longitude)
    except (TypeError, ValueError):
        raise ValidationError({"latitude": [_("The location is not valid.")]}) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or lat != lat or lon != lon:
        raise ValidationError({"latitude": [_("The location is not valid.")]})
    return lat, lon


def _category(consultation, category):
    if category in (None, ""):
        return None
    slug = getattr(category, "slug", category)
    match = consultation.categories.filter(slug=str(slug)).first()
    if match is None:
        raise ValidationError({"category": [_("Choose one of this consultation's categories.")]})
    return match


def _lock_user(user):
    return get_user_model().objects.select_for_update().get(pk=user.pk)


def _publish_proposal(proposal: Proposal, event: str = EVENT_PROPOSAL_CHANGED) -> None:
    publish(event, proposal_id=proposal.pk, consultation_id=proposal.consultation_id)


def proposal_create(*, author, consultation, title: str, body: str, category=None, latitude=None,
                    longitude=None, photo=None) -> Proposal:
    """Publish a proposal in a consultation (its default-language page); the author follows it."""
    consultation = consultation.canonical
    require(author, "proposals.add_proposal", consultation,
             _("New proposals cannot be posted in this consultation now."))
    title_text, body_text = _clean_title_body(title, body)
    category_obj = _category(consultation, category)
    lat, lon = _clean_location(latitude, longitude)
    processed = None
    if photo:
        from participation.core.photos import process_photo

        processed = process_photo(photo)  # raises ValidationError before anything is stored
    with transaction.atomic():
        _lock_user(author)
        limit = consultation.proposals_per_user
        if limit:
            used = Proposal.objects.filter(author=author, consultation=consultation).exclude(
                state=ProposalState.WITHDRAWN).count()
            if used >= limit:
                raise PermissionDenied(_("You can post at most %(n)d proposals in this consultation.") % {"n": limit})
        proposal = Proposal(
            consultation=consultation, author=author, title=title_text, body=body_text, category=category_obj,
            latitude=lat, longitude=lon,
        )
        if processed is not None:
            proposal.image.save(f"p.{processed.extension}", ContentFile(processed.image_bytes), save=False)
            proposal.thumbnail.save(f"p-thumb.{processed.extension}", ContentFile(processed.thumbnail_bytes), save=False)
        proposal.save()
        Follow.objects.create(proposal=proposal, user=author)
        _publish_proposal(proposal)
    return proposal


def proposal_update(*, proposal: Proposal, user, title: str, body: str, category=None, latitude=None,
                    longitude=None) -> Proposal:
    """The author edits within the edit window."""
    require(user, "proposals.change_proposal", proposal,
             _("This proposal can no longer be edited (only its author can, within %(n)d minutes of publishing).")
             % {"n": settings.PROPOSAL_EDIT_WINDOW_MINUTES})
    title_text, body_text = _clean_title_body(title, body)
    category_obj = _category(proposal.consultation, category)
    lat, lon = _clean_location(latitude, longitude)
    with transaction.atomic():
        Proposal.objects.filter(pk=proposal.pk).update(
            title=title_text, body=body_text, category=category_obj, latitude=lat, longitude=lon,
            edited_at=timezone.now(),
        )
        proposal.refresh_from_db()
        _publish_proposal(proposal)
    return proposal


def proposal_withdraw(*, proposal: Proposal, user) -> Proposal:
    """The author withdraws: the proposal stays visible, marked withdrawn, and can't be supported."""
    require(user, "proposals.withdraw_proposal", proposal, _("You cannot withdraw this proposal."))
    with transaction.atomic():
        Proposal.objects.filter(pk=proposal.pk).update(state=ProposalState.WITHDRAWN, withdrawn_at=timezone.now())
        proposal.refresh_from_db()
        _publish_proposal(proposal)
    return proposal


def proposal_answer(*, proposal: Proposal, user, state: str, answer: str) -> Proposal:
    """Staff set the state and a public official answer; the author and followers are notified."""
    require(user, "proposals.answer_proposal", proposal, _("Only city staff can answer proposals."))
    if state not in ProposalState.values:
        raise ValidationError({"state": [_("Choose a valid state.")]})
    answer_text = clean_text(answer)
    if len(answer_text) > BODY_MAX:
        raise ValidationError({"answer": [_("The answer can have at most %(max)d characters.") % {"max": BODY_MAX}]})
    with transaction.atomic():
        Proposal.objects.filter(pk=proposal.pk).update(
            state=state, official_answer=answer_text, answered_at=timezone.now(), answered_by=user,
        )
        proposal.refresh_from_db()
        followers = [f.user for f in Follow.objects.filter(proposal=proposal).select_related("user")]
        title = proposal.title
        notification_send(
            recipients=followers, verb="proposal_answered",
            message_factory=lambda: _("The city answered the proposal “%(title)s”.") % {"title": title[:120]},
            url=proposal.get_absolute_url(), exclude=user,
        )
        _publish_proposal(proposal)
    return proposal


# --- Supports -------------------------------------------------------------------------------


def support_add(*, proposal: Proposal, user) -> Support:
    """One support per resident per proposal; the per-consultation limit is checked under a lock
    on the user's row, so parallel requests from one person are serialised."""
    with transaction.atomic():
        _lock_user(user)
        proposal = Proposal.objects.select_related("consultation").get(pk=proposal.pk)
        if not user.has_perm("proposals.support_proposal", proposal):
            if proposal.is_withdrawn:
                raise PermissionDenied(_("A withdrawn proposal cannot be supported."))
            if not proposal.is_supportable_state:
                raise PermissionDenied(_("This proposal can no longer be supported."))
            if not proposal.consultation.phase_allows("support"):
                raise PermissionDenied(_("Supporting is not open in this consultation now."))
            raise PermissionDenied(_("You cannot support this proposal."))
        if Support.objects.filter(proposal=proposal, user=user).exists():
            raise Conflict(_("You already support this proposal."), "already_supported")
        limit = proposal.consultation.supports_per_user
        if limit and Support.objects.filter(user=user, consultation_id=proposal.consultation_id).count() >= limit:
            raise PermissionDenied(
                _("You have used all %(n)d supports for this consultation. Remove one to support another.") % {"n": limit}
            )
        try:
            with transaction.atomic():
                support = Support.objects.create(proposal=proposal, user=user, consultation_id=proposal.consultation_id)
        except IntegrityError:
            raise Conflict(_("You already support this proposal."), "already_supported") from None
        Proposal.objects.filter(pk=proposal.pk).update(support_count=F("support_count") + 1)
        tally_apply_for_proposal(proposal.pk, proposal.consultation_id, supports=1)
        _publish_proposal(proposal, EVENT_SUPPORT_CHANGED)
    return support


def support_remove(*, proposal: Proposal, user) -> None:
    """Take a support back while supporting is open."""
    with transaction.atomic():
        _lock_user(user)
        proposal = Proposal.objects.select_related("consultation").get(pk=proposal.pk)
        if not proposal.consultation.phase_allows("support"):
            raise PermissionDenied(_("Supporting is not open in this consultation now."))
        deleted, _rows = Support.objects.filter(proposal=proposal, user=user).delete()
        if not deleted:
            raise Conflict(_("You do not support this proposal."), "not_supported")
        Proposal.objects.filter(pk=proposal.pk).update(support_count=Greatest(F("support_count") - 1, 0))
        tally_apply_for_proposal(proposal.pk, proposal.consultation_id, supports=-1)
        _publish_proposal(proposal, EVENT_SUPPORT_CHANGED)


# --- Comments -------------------------------------------------------------------------------


def _clean_comment(body, stance) -> tuple[str, str]:
    text = clean_text(body)
    errors: dict[str, list] = {}
    if not text:
        errors["body"] = [_("Please write a comment.")]
    elif len(text) > COMMENT_MAX:
        errors["body"] = [_("A comment can have at most %(max)d characters (it has %(n)d).") % {"max": COMMENT_MAX, "n": len(text)}]
    stance = stance or Stance.NEUTRAL
    if stance not in Stance.values:
        errors["stance"] = [_("Choose for, against or neutral.")]
    if errors:
        raise ValidationError(errors)
    return text, stance


def comment_create(*, proposal: Proposal, author, body: str, stance: str = Stance.NEUTRAL, parent=None) -> Comment:
    """A comment or a reply (threads go 3 deep; a reply to the deepest level joins that level)."""
    require(author, "proposals.comment_proposal", proposal, _("Comments are not open on this proposal now."))
    text, stance = _clean_comment(body, stance)
    parent_obj = None
    if parent not in (None, ""):
        parent_id = getattr(parent, "pk", parent)
        try:
            parent_obj = Comment.objects.visible().get(pk=int(parent_id), proposal=proposal)
        except (Comment.DoesNotExist, TypeError, ValueError):
            raise ValidationError({"parent": [_("The comment you are replying to does not exist.")]}) from None
        if parent_obj.deleted_at is not None:
            raise ValidationError({"parent": [_("You cannot reply to a deleted comment.")]})
        if parent_obj.depth >= MAX_COMMENT_DEPTH:
            parent_obj = parent_obj.parent or parent_obj  # keep the thread at most 3 deep
    with transaction.atomic():
        comment = Comment.objects.create(
            proposal=proposal, author=author, body=text, stance=stance, parent=parent_obj,
            depth=(parent_obj.depth + 1) if parent_obj else 1,
        )
        Proposal.objects.filter(pk=proposal.pk).update(comment_count=F("comment_count") + 1)
        tally_apply_for_proposal(proposal.pk, proposal.consultation_id, comments=1)
        if parent_obj is not None and parent_obj.author_id != author.pk:
            notification_send(
                recipients=[parent_obj.author], verb="comment_reply",
                message_factory=lambda: _("%(name)s replied to your comment on “%(title)s”.") % {
                    "name": author.public_name, "title": proposal.title[:100]},
                url=comment.get_absolute_url(), exclude=author,
            )
        publish(EVENT_COMMENT_CHANGED, proposal_id=proposal.pk, consultation_id=proposal.consultation_id,
                comment_id=comment.pk)
    return comment


def comment_update(*, comment: Comment, user, body: str, stance: str | None = None) -> Comment:
    require(user, "proposals.change_comment", comment, _("You cannot edit this comment."))
    text, stance = _clean_comment(body, stance or comment.stance)
    with transaction.atomic():
        Comment.objects.filter(pk=comment.pk).update(body=text, stance=stance, edited_at=timezone.now())
        comment.refresh_from_db()
    return comment


def comment_delete(*, comment: Comment, user) -> Comment:
    """Leaves a tombstone so replies keep their place; the counter drops by one."""
    require(user, "proposals.delete_comment", comment, _("You cannot delete this comment."))
    with transaction.atomic():
        updated = Comment.objects.filter(pk=comment.pk, deleted_at__isnull=True).update(deleted_at=timezone.now(), body="")
        if updated and comment.hidden_at is None:
            Proposal.objects.filter(pk=comment.proposal_id).update(comment_count=Greatest(F("comment_count") - 1, 0))
            tally_apply_for_proposal(comment.proposal_id, comment.proposal.consultation_id, comments=-1)
        comment.refresh_from_db()
        publish(EVENT_COMMENT_CHANGED, proposal_id=comment.proposal_id,
                consultation_id=comment.proposal.consultation_id, comment_id=comment.pk)
    return comment


def comment_vote(*, comment: Comment, user, value: int) -> Comment:
    """Up (1), down (-1) or clear (0) one vote per user per comment; changeable."""
    try:
        value = int(value)
    except (TypeError, ValueError):
        value = 99
    if value not in (1, -1, 0):
        raise ValidationError({"value": [_("A vote is up (1), down (-1) or none (0).")]})
    require(user, "proposals.vote_comment", comment, _("You cannot vote on this comment now."))
    with transaction.atomic():
        _lock_user(user)
        old = CommentVote.objects.filter(comment=comment, user=user).first()
        delta_up = delta_down = 0
        if old is not None:
            delta_up -= old.value == 1
            delta_down -= old.value == -1
            if value == 0:
                old.delete()
            elif value != old.value:
                CommentVote.objects.filter(pk=old.pk).update(value=value)
        elif value != 0:
            CommentVote.objects.create(comment=comment, user=user, value=value)
        if value == 1:
            delta_up += 1
        elif value == -1:
            delta_down += 1
        if delta_up or delta_down:
            Comment.objects.filter(pk=comment.pk).update(
                upvotes=Greatest(F("upvotes") + delta_up, 0), downvotes=Greatest(F("downvotes") + delta_down, 0)
            )
        comment.refresh_from_db()
    return comment


# --- Follows --------------------------------------------------------------------------------


def follow_add(*, proposal: Proposal, user) -> None:
    require(user, "proposals.follow_proposal", proposal, _("You cannot follow this proposal."))
    Follow.objects.get_or_create(proposal=proposal, user=user)


def follow_remove(*, proposal: Proposal, user) -> None:
    Follow.objects.filter(proposal=proposal, user=user).delete()


# --- Moderation and counters ----------------------------------------------------------------


def _recount_comments(proposal_id: int) -> None:
    Proposal.objects.filter(pk=proposal_id).update(
        comment_count=Comment.objects.filter(proposal_id=proposal_id, deleted_at__isnull=True,
                                             hidden_at__isnull=True).count()
    )


def proposal_visibility_changed(proposal: Proposal) -> None:
    """Called by moderation inside its transaction: new totals, re-broadcast counts after commit."""
    tally_recompute(proposal.consultation_id)
    _publish_proposal(proposal)


def comment_visibility_changed(comment: Comment) -> None:
    _recount_comments(comment.proposal_id)
    tally_recompute(comment.proposal.consultation_id)
    publish(EVENT_COMMENT_CHANGED, proposal_id=comment.proposal_id,
            consultation_id=comment.proposal.consultation_id, comment_id=comment.pk)


# --- Consultation totals (ConsultationTally) ---------------------------------------------------
#
# Lock order everywhere: the proposal row (its counter UPDATE), then the tally row. Increments run
# after the proposal's own UPDATE, so whether the proposal is hidden is read after any concurrent
# hide committed; a recompute locks the tally row before it counts, so an increment either
# committed before the count (and is in it) or waits and is added on top.


def _tally_actual(consultation_id: int) -> dict[str, int]:
    """The totals from COUNT(*) over the rows (not from the stored per-proposal counters)."""
    from django.db.models import Subquery

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


def proposal_saved(sender, instance: Proposal, created: bool, raw: bool = False, **kwargs) -> None:
    """post_save: a new proposal (through the service or any ORM create) counts at once."""
    if created and not raw and instance.hidden_at is None:
        tally_apply(instance.consultation_id, proposals=1, comments=instance.comment_count,
                    supports=instance.support_count)


def proposal_deleted(sender, instance: Proposal, **kwargs) -> None:
    """post_delete: take it out of the totals (no new row: the consultation may be going too)."""
    if instance.hidden_at is None:
        tally_apply(instance.consultation_id, proposals=-1, comments=-instance.comment_count,
                    supports=-instance.support_count, create=False)


def tally_apply_for_proposal(proposal_id: int, consultation_id: int, **deltas: int) -> None:
    """Deltas for one proposal's counters; nothing when a moderator has hidden the proposal."""
    if Proposal.objects.filter(pk=proposal_id, hidden_at__isnull=True).exists():
        tally_apply(consultation_id, **deltas)


def counts_reconcile(*, fix: bool = True) -> list[dict[str, Any]]:
    """Compare stored counters with COUNT(*); fix them unless ``fix`` is False. Returns mismatches."""
    mismatches: list[dict[str, Any]] = []
    proposals = Proposal.objects.annotate(
        real_supports=Count("supports", distinct=True),
        real_comments=Count("comments", filter=Q(comments__deleted_at__isnull=True, comments__hidden_at__isnull=True),
                            distinct=True),
    ).values_list("pk", "support_count", "real_supports", "comment_count", "real_comments")
    for pk, stored_s, real_s, stored_c, real_c in proposals.iterator():
        if stored_s != real_s:
            mismatches.append({"model": "proposal", "id": pk, "field": "support_count", "stored": stored_s, "actual": real_s})
        if stored_c != real_c:
            mismatches.append({"model": "proposal", "id": pk, "field": "comment_count", "stored": stored_c, "actual": real_c})
    comments = Comment.objects.annotate(
        real_up=Count("votes", filter=Q(votes__value=1)), real_down=Count("votes", filter=Q(votes__value=-1)),
    ).values_list("pk", "upvotes", "real_up", "downvotes", "real_down")
    for pk, up, real_up, down, real_down in comments.iterator():
        if up != real_up:
            mismatches.append({"model": "comment", "id": pk, "field": "upvotes", "stored": up, "actual": real_up})
        if down != real_down:
            mismatches.append({"model": "comment", "id": pk, "field": "downvotes", "stored": down, "actual": real_down})
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


