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
    """``visible()`` drops moderated items and items by blocked authors, on every surface."""

    author_field = "author"

    def visible(self) -> VisibleQuerySet:
        qs = self.filter(hidden_at__isnull=True)
        author = getattr(self.model, "moderation_author_field", self.author_field)
        if author:
            qs = qs.filter(**{f"{author}__blocked_at__isnull": True})
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
