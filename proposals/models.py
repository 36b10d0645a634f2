"""Proposals, threaded comments, comment votes, supports and follows.

Counters (``support_count``, ``comment_count``, comment ``upvotes``/``downvotes``) are stored for
cheap sorting and always updated with ``F()`` in the same transaction as the row they count;
``manage.py reconcile_counts`` proves they equal ``COUNT(*)``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from participation.models import Moderatable

TITLE_MAX = 150
BODY_MAX = 4000
COMMENT_MAX = 2000
MAX_COMMENT_DEPTH = 3  # a top-level comment has depth 1


SHUFFLE_MAX = 2**31 - 1


def shuffle_key() -> int:
    """A proposal's place in the consultation's random order (see selectors.proposal_list)."""
    import secrets

    return secrets.randbelow(SHUFFLE_MAX)


class ProposalState(models.TextChoices):
    PUBLISHED = "published", _("Published")
    EVALUATING = "evaluating", _("Being evaluated")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# States in which a proposal can still gain supports.
SUPPORTABLE_STATES = frozenset({ProposalState.PUBLISHED, ProposalState.EVALUATING, ProposalState.ACCEPTED})


class Stance(models.TextChoices):
    FOR = "for", _("For")
    AGAINST = "against", _("Against")
    NEUTRAL = "neutral", _("Neutral")


NO_STANCE = ""  # a reply may take no stance of its own (a top-level comment always has one)


class Proposal(Moderatable):
    consultation = models.ForeignKey(
        "cms.ConsultationPage", on_delete=models.CASCADE, related_name="proposals", verbose_name=_("consultation")
    )
    category = models.ForeignKey(
        "cms.ConsultationCategory", on_delete=models.SET_NULL, null=True, blank=True, related_name="proposals",
        verbose_name=_("category"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="proposals", verbose_name=_("author")
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    body = models.TextField(_("proposal"), max_length=BODY_MAX)
    state = models.CharField(_("state"), max_length=12, choices=ProposalState.choices, default=ProposalState.PUBLISHED)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    # Names given by participation.core.photo_files: public/proposals/... while anyone may see the
    # proposal (served as media), private/proposals/... while it is hidden (served by nothing).
    image = models.FileField(_("image"), upload_to="public/proposals/", blank=True)
    thumbnail = models.FileField(_("thumbnail"), upload_to="public/proposals/", blank=True)
    official_answer = models.TextField(_("official answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    support_count = models.PositiveIntegerField(_("supports"), default=0)
    comment_count = models.PositiveIntegerField(_("comments"), default=0)
    shuffle = models.PositiveIntegerField(default=shuffle_key, editable=False)
    created_at = models.DateTimeField(_("published at"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-created_at", "-pk"]
        # Each list order (selectors.proposal_list) has an index with its full key, tie-breakers
        # included, so a page is an index range scan that stops after 20 rows; the category and
        # state filters have their own (newest first); the trigram GIN indexes for text search are
        # added by migration 0002 on PostgreSQL only.
        indexes = [
            models.Index(fields=["consultation", "-created_at", "-id"], name="proposal_cons_new_idx"),
            models.Index(fields=["consultation", "-support_count", "-created_at", "-id"],
                         name="proposal_cons_supp_idx"),
            models.Index(fields=["consultation", "-comment_count", "-created_at", "-id"],
                         name="proposal_cons_comm_idx"),
            models.Index(fields=["consultation", "category", "-created_at", "-id"], name="proposal_cons_cat_idx"),
            models.Index(fields=["consultation", "state", "-created_at", "-id"], name="proposal_cons_state_idx"),
            models.Index(fields=["author", "consultation"], name="proposal_author_cons_idx"),
            # Covers the visibility filter (random-order counts on filtered lists read it alone).
            models.Index(fields=["consultation", "hidden_at", "author", "id"], name="proposal_cons_visible_idx"),
            models.Index(fields=["consultation", "shuffle", "id"], name="proposal_cons_shuffle_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(state__in=ProposalState.values), name="proposal_state_valid"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("proposals:detail", args=[self.pk])

    @property
    def is_withdrawn(self) -> bool:
        return self.state == ProposalState.WITHDRAWN

    @property
    def is_supportable_state(self) -> bool:
        return self.state in SUPPORTABLE_STATES


class ConsultationTally(models.Model):
    """Totals of one consultation's proposals that are not hidden by a moderator: how many, and the
    sums of their ``comment_count`` and ``support_count``. Kept in the same transaction as every
    change to those (see ``services.tally_*``) so the consultation page needs no COUNT over all
    proposals; proposals of blocked authors are subtracted at read time (a query on the author
    index, proportional to what those authors wrote). ``reconcile_counts`` checks it against COUNT(*).
    """

    consultation = models.OneToOneField(
        "cms.ConsultationPage", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    proposals = models.IntegerField(default=0)
    comments = models.IntegerField(default=0)
    supports = models.IntegerField(default=0)

    def __str__(self) -> str:
        return f"consultation {self.consultation_id}: {self.proposals}/{self.comments}/{self.supports}"


class Comment(Moderatable):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="proposal_comments")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies")
    depth = models.PositiveSmallIntegerField(default=1)
    body = models.TextField(_("comment"), max_length=COMMENT_MAX)
    # For, against or neutral; a reply may have none (NO_STANCE, an empty string), and says so by showing no label.
    stance = models.CharField(_("stance"), max_length=8, choices=Stance.choices, default=Stance.NEUTRAL, blank=True)
    upvotes = models.PositiveIntegerField(default=0)
    downvotes = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(_("written at"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["proposal", "created_at"], name="comment_proposal_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(depth__gte=1, depth__lte=MAX_COMMENT_DEPTH), name="comment_depth_range"),
            models.CheckConstraint(
                condition=models.Q(stance__in=Stance.values) | (models.Q(stance=NO_STANCE) & models.Q(depth__gt=1)),
                name="comment_stance_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.body[:60]

    def get_absolute_url(self) -> str:
        return f"{self.proposal.get_absolute_url()}#comment-{self.pk}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class CommentVote(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_votes")
    value = models.SmallIntegerField(choices=[(1, _("Up")), (-1, _("Down"))])
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "user"], name="comment_vote_one_per_user"),
            models.CheckConstraint(condition=models.Q(value__in=[1, -1]), name="comment_vote_value_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → comment {self.comment_id}: {self.value:+d}"


class Support(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supports")
    # Denormalised so the per-user limit is one indexed count.
    consultation = models.ForeignKey("cms.ConsultationPage", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [models.UniqueConstraint(fields=["proposal", "user"], name="support_one_per_user")]
        indexes = [models.Index(fields=["user", "consultation"], name="support_user_cons_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} supports {self.proposal_id}"


class Follow(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="proposal_follows")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["proposal", "user"], name="follow_one_per_user")]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.proposal_id}"
