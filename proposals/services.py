"""Writes for proposals, comments, votes, supports and follows.

Each service: check the permission name and lock → write (counters with ``F()``, consultation
totals through ``proposals.tally``, text through ``participation.core.text.plain_text``) → publish
an event that subscribers receive after commit. Errors are ``ValidationError`` (bad input),
``PermissionDenied`` (not allowed now, with a message) or ``participation.core.errors.Conflict``
(already done).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from participation.accounts.notifications import notification_send
from participation.core.errors import Conflict, require
from participation.core.events import publish
from participation.core.photo_files import photo_file_place, photo_files_write, removed_on_failure
from participation.core.photos import process_photo
from participation.core.text import plain_text
from proposals import tally
from proposals.models import (
    BODY_MAX,
    COMMENT_MAX,
    MAX_COMMENT_DEPTH,
    NO_STANCE,
    TITLE_MAX,
    Comment,
    CommentVote,
    Follow,
    Proposal,
    ProposalState,
    Stance,
    Support,
)

EVENT_PROPOSAL_CHANGED = "proposals.proposal_changed"
EVENT_SUPPORT_CHANGED = "proposals.support_changed"
EVENT_COMMENT_CHANGED = "proposals.comment_changed"
ALL_EVENTS = (EVENT_PROPOSAL_CHANGED, EVENT_SUPPORT_CHANGED, EVENT_COMMENT_CHANGED)
PHOTO_APP = "proposals"  # public/proposals/ and private/proposals/


def _clean_title_body(title, body) -> tuple[str, str]:
    errors: dict[str, list] = {}
    title_text, body_text = plain_text(title), plain_text(body)
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
    processed = process_photo(photo) if photo else None  # raises ValidationError before anything is stored
    with removed_on_failure() as written, transaction.atomic():
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
            written += photo_files_write(processed, app=PHOTO_APP, public=True)
            proposal.image, proposal.thumbnail = written
        proposal.save()
        tally.tally_apply(consultation.pk, proposals=1)
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


def proposal_withdraw_undo(*, proposal: Proposal, user, previous_state: str) -> Proposal:
    """The author takes a recent withdrawal back: the proposal returns to the state it had before."""
    require(user, "proposals.undo_withdraw_proposal", proposal, _("This withdrawal can no longer be undone."))
    if previous_state not in ProposalState.values or previous_state == ProposalState.WITHDRAWN:
        raise ValidationError(_("This withdrawal can no longer be undone."), code="undo")
    with transaction.atomic():
        Proposal.objects.filter(pk=proposal.pk, state=ProposalState.WITHDRAWN).update(
            state=previous_state, withdrawn_at=None,
        )
        proposal.refresh_from_db()
        _publish_proposal(proposal)
    return proposal


def proposal_answer(*, proposal: Proposal, user, state: str, answer: str) -> Proposal:
    """Staff set the state and a public official answer; the author and followers are notified."""
    require(user, "proposals.answer_proposal", proposal, _("Only city staff can answer proposals."))
    if state not in ProposalState.values:
        raise ValidationError({"state": [_("Choose a valid state.")]})
    answer_text = plain_text(answer)
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
        tally.tally_apply_for_proposal(proposal.pk, proposal.consultation_id, supports=1)
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
        tally.tally_apply_for_proposal(proposal.pk, proposal.consultation_id, supports=-1)
        _publish_proposal(proposal, EVENT_SUPPORT_CHANGED)


# --- Comments -------------------------------------------------------------------------------


def _clean_comment(body, stance, *, reply: bool = False) -> tuple[str, str]:
    """A top-level comment always has a stance (neutral when none is given); a reply has its own or none."""
    text = plain_text(body)
    errors: dict[str, list] = {}
    if not text:
        errors["body"] = [_("Please write a comment.")]
    elif len(text) > COMMENT_MAX:
        errors["body"] = [_("A comment can have at most %(max)d characters (it has %(n)d).") % {"max": COMMENT_MAX, "n": len(text)}]
    stance = stance or (NO_STANCE if reply else Stance.NEUTRAL)
    if stance not in Stance.values and not (reply and stance == NO_STANCE):
        errors["stance"] = [_("Choose for, against, neutral or no stance.") if reply
                            else _("Choose for, against or neutral.")]
    if errors:
        raise ValidationError(errors)
    return text, stance


def comment_create(*, proposal: Proposal, author, body: str, stance: str | None = None, parent=None) -> Comment:
    """A comment or a reply (threads go 3 deep; a reply to the deepest level joins that level). A comment
    without a stance is neutral; a reply without one has none."""
    require(author, "proposals.comment_proposal", proposal, _("Comments are not open on this proposal now."))
    text, stance = _clean_comment(body, stance, reply=parent not in (None, ""))
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
        tally.tally_apply_for_proposal(proposal.pk, proposal.consultation_id, comments=1)
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
    """``stance=None`` keeps the comment's stance; a reply can change its own to none (``""``)."""
    require(user, "proposals.change_comment", comment, _("You cannot edit this comment."))
    text, stance = _clean_comment(body, comment.stance if stance is None else stance, reply=comment.parent_id is not None)
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
            tally.tally_apply_for_proposal(comment.proposal_id, comment.proposal.consultation_id, comments=-1)
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
                # The vote as cast now: opinion groups replay votes by their time (ml/polis_history.py).
                CommentVote.objects.filter(pk=old.pk).update(value=value, created_at=timezone.now())
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


def proposal_photo_sync(proposal: Proposal) -> None:
    """Keep the photo under public/ exactly while anyone may see the proposal (not hidden, author not
    blocked; withdrawn proposals stay visible), under private/ otherwise, where no URL serves it."""
    if not proposal.image:
        return
    public = proposal.hidden_at is None and proposal.author.content_hidden_at is None
    image = photo_file_place(proposal.image.name, app=PHOTO_APP, public=public)
    thumbnail = photo_file_place(proposal.thumbnail.name, app=PHOTO_APP, public=public)
    if (image, thumbnail) != (proposal.image.name, proposal.thumbnail.name):
        Proposal.objects.filter(pk=proposal.pk).update(image=image, thumbnail=thumbnail)
        proposal.image, proposal.thumbnail = image, thumbnail


def proposal_visibility_changed(proposal: Proposal) -> None:
    """Called by moderation inside its transaction: new totals, the photo in or out of public/,
    re-broadcast counts after commit."""
    tally.tally_recompute(proposal.consultation_id)
    proposal_photo_sync(proposal)
    _publish_proposal(proposal)


def on_author_block_changed(event_name: str, payload: dict) -> None:
    """Subscriber of moderation.user_blocked / user_unblocked: the author's photos leave or rejoin public/."""
    for proposal in Proposal.objects.filter(author_id=payload.get("user_id")).exclude(image="").select_related("author"):
        with transaction.atomic():
            proposal_photo_sync(proposal)


def comment_visibility_changed(comment: Comment) -> None:
    tally.comment_count_recompute(comment.proposal_id)
    tally.tally_recompute(comment.proposal.consultation_id)
    publish(EVENT_COMMENT_CHANGED, proposal_id=comment.proposal_id,
            consultation_id=comment.proposal.consultation_id, comment_id=comment.pk)
