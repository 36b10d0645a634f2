"""Kernel models: the user, in-app notifications, and the moderation fields every public item shares."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person using the platform. Only ``display_name`` is ever shown publicly."""

    display_name = models.CharField(
        _("display name"),
        max_length=40,
        help_text=_("The nickname shown with what you post. Your real name is never shown."),
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    district = models.CharField(_("district"), max_length=80, blank=True)
    email_notifications = models.BooleanField(_("send me e-mail notifications"), default=True)
    blocked_at = models.DateTimeField(_("blocked at"), null=True, blank=True)
    blocked_reason = models.TextField(_("reason for blocking"), blank=True)
    # Set when a moderator blocks an account and also hides what it posted before; blocking alone stops
    # new posts and logins but leaves past content visible (issue 12: blocking used to hide it silently).
    content_hidden_at = models.DateTimeField(_("past content hidden at"), null=True, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.public_name

    @property
    def public_name(self) -> str:
        if not self.is_active and self.username.startswith("deleted-"):
            return str(_("deleted user"))
        return self.display_name or str(_("resident"))

    @property
    def is_blocked(self) -> bool:
        return self.blocked_at is not None


class VisibleQuerySet(models.QuerySet):
    """``visible()`` drops moderated items and items whose author's content a moderator hid, on every surface."""

    author_field = "author"

    def visible(self) -> VisibleQuerySet:
        qs = self.filter(hidden_at__isnull=True)
        author = getattr(self.model, "moderation_author_field", self.author_field)
        if author:
            qs = qs.filter(**{f"{author}__content_hidden_at__isnull": True})
        return qs


class Moderatable(models.Model):
    """Fields shared by everything a moderator can hide. Hiding never deletes content."""

    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True, db_index=True)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=200, blank=True)

    objects = VisibleQuerySet.as_manager()
    moderation_author_field = "author"

    class Meta:
        abstract = True

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class Notification(models.Model):
    """An in-app notification; e-mail is sent alongside when the user allows it."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    verb = models.CharField(max_length=64)
    message = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return self.message


# --- Moderation: flags and the audit log -------------------------------------------------------


class FlagReason(models.TextChoices):
    SPAM = "spam", _("Spam or advertising")
    OFFENSIVE = "offensive", _("Offensive or abusive")
    PERSONAL_INFO = "personal_info", _("Personal information")
    OFF_TOPIC = "off_topic", _("Off-topic")
    OTHER = "other", _("Other")


class FlagStatus(models.TextChoices):
    OPEN = "open", _("Waiting for review")
    UPHELD = "upheld", _("Upheld (content hidden or author blocked)")
    DISMISSED = "dismissed", _("Dismissed")


class Flag(models.Model):
    """A resident's report that an item (or a user) breaks the rules. One per user per item, for ever:
    the history stays when a moderator acts, so the same person cannot flag the same item twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flags_made")
    kind = models.CharField(_("type"), max_length=32)  # a ModeratableSpec kind, or "user"
    object_id = models.PositiveBigIntegerField(_("item id"))
    reason = models.CharField(_("reason"), max_length=20, choices=FlagReason.choices)
    details = models.TextField(_("details"), max_length=1000, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    created_at = models.DateTimeField(_("flagged at"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "object_id"], name="flag_one_per_user_per_item"),
        ]
        indexes = [models.Index(fields=["kind", "object_id", "status"], name="flag_item_status_idx")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id} ({self.reason})"


class ModerationActionKind(models.TextChoices):
    AUTO_HIDE = "auto_hide", _("Hidden automatically after flags")
    HIDE = "hide", _("Hidden")
    UNHIDE = "unhide", _("Unhidden")
    DISMISS = "dismiss", _("Flags dismissed")
    BLOCK = "block", _("User blocked")
    UNBLOCK = "unblock", _("User unblocked")
    ACCOUNT_DELETE = "account_delete", _("Account deleted")


class ModerationAction(models.Model):
    """The audit log: every moderator and staff action (and automatic hiding), never edited."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="moderation_actions"
    )
    action = models.CharField(_("action"), max_length=20, choices=ModerationActionKind.choices)
    target_kind = models.CharField(_("type"), max_length=32)
    target_id = models.PositiveBigIntegerField(_("item id"))
    target_text = models.CharField(_("item"), max_length=200, blank=True)  # snapshot for the log
    reason = models.TextField(_("reason"), max_length=1000, blank=True)
    # What an automatic hide was for, as data ({"flags": 3, "reasons": ["personal_info"]}): ``reason`` keeps the
    # sentence in the site's language as written then, and the log shows it again in the reader's language.
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("moderation action")
        verbose_name_plural = _("moderation actions")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["target_kind", "target_id"], name="modaction_target_idx")]

    def __str__(self) -> str:
        return f"{self.action} {self.target_kind}:{self.target_id}"
