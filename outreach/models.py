"""Reaching residents: their channel preferences, push subscriptions, areas they watch, staff announcements,
and the logs that make every delivery happen at most once (unique constraints, not process memory)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from participation.core.i18n import localized
from participation.core.predicates import ROLES


class Channel(models.TextChoices):
    PUSH = "push", _("Push notification on this device")
    EMAIL = "email", _("E-mail")
    SITE = "site", _("Notification on this site")
    LINE = "line", _("LINE")


class EmailMode(models.TextChoices):
    IMMEDIATE = "immediate", _("One e-mail per event")
    DAILY = "daily", _("A daily digest")
    WEEKLY = "weekly", _("A weekly digest")
    OFF = "off", _("No e-mail")


class District(models.Model):
    """A district of the city. Residents name theirs on their profile; the boundary (GeoJSON polygon,
    [longitude, latitude] pairs) places reports and consultations in it."""

    name_ja = models.CharField(_("name (Japanese)"), max_length=80, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)
    boundary = models.JSONField(_("boundary (GeoJSON polygon)"), default=dict, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["order", "name_ja"]

    def __str__(self) -> str:
        return self.localized_name

    @property
    def localized_name(self) -> str:
        return localized(self.name_ja, self.name_en)


class Topic(models.Model):
    """An interest residents choose (子育て, 防災 ...); announcements are aimed at topics."""

    slug = models.SlugField(_("code"), max_length=40, unique=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["order", "slug"]

    def __str__(self) -> str:
        return self.localized_name

    @property
    def localized_name(self) -> str:
        return localized(self.name_ja, self.name_en)


class Preferences(models.Model):
    """How one resident wants to be reached. Absent row = the defaults below."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="outreach_preferences")
    via_site = models.BooleanField(_("on this site (notifications page)"), default=True)
    via_email = models.BooleanField(_("by e-mail"), default=True)
    via_push = models.BooleanField(_("by push notification to the devices I allowed"), default=True)
    via_line = models.BooleanField(_("by LINE, when my account is linked to LINE"), default=True)
    followups = models.BooleanField(
        _("also push news about what I follow (my reports, proposals, replies)"), default=True,
        help_text=_("Sent by push and LINE as chosen above; the notifications page always has them."),
    )
    email_mode = models.CharField(_("e-mail"), max_length=12, choices=EmailMode.choices, default=EmailMode.IMMEDIATE)
    topics = models.ManyToManyField(Topic, blank=True, related_name="+", verbose_name=_("topics"))
    quiet_start = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours until"), null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("notification preferences")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"preferences of {self.user_id}"


class PushSubscription(models.Model):
    """One browser on one device that accepted push (the PushSubscription the browser gave us)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions")
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    user_agent = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_success_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("push subscription")
        verbose_name_plural = _("push subscriptions")

    def __str__(self) -> str:
        return f"push {self.pk} of {self.user_id}"

    def as_subscription_info(self) -> dict:
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


class AreaSubscription(models.Model):
    """An area a resident watches: a district, or a circle around a point on the map."""

    class Kind(models.TextChoices):
        DISTRICT = "district", _("A district")
        CIRCLE = "circle", _("A circle around a point")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="area_subscriptions")
    kind = models.CharField(_("area"), max_length=10, choices=Kind.choices)
    district = models.ForeignKey(District, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    latitude = models.FloatField(null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.FloatField(null=True, blank=True, validators=[MinValueValidator(-180), MaxValueValidator(180)])
    radius_m = models.PositiveIntegerField(null=True, blank=True)
    reports = models.BooleanField(_("new reports"), default=True)
    consultations = models.BooleanField(_("new consultations"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("area alert")
        verbose_name_plural = _("area alerts")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="area_district_or_circle",
                condition=(
                    models.Q(kind="district", district__isnull=False)
                    | models.Q(kind="circle", latitude__isnull=False, longitude__isnull=False, radius_m__isnull=False)
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"area {self.pk} of {self.user_id}"


class ConsultationFollow(models.Model):
    """A resident follows a consultation: news when a new phase starts (and the alerts of its area)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consultation_follows")
    consultation_id = models.PositiveBigIntegerField()  # the canonical page (participation.core.consultations)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "consultation_id"], name="consultation_follow_once")]

    def __str__(self) -> str:
        return f"{self.user_id} follows consultation {self.consultation_id}"


class LineBlocked(models.Model):
    """A LINE user who blocked (unfollowed) the city's official account: LINE cannot deliver to them until
    they follow it again (the webhook's follow / unfollow events)."""

    line_user_id = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.line_user_id


class AreaAlertSent(models.Model):
    """One alert per resident per new item, however many of their areas contain it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)  # "report" or "consultation"
    object_id = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind", "object_id"], name="area_alert_once")]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} -> {self.user_id}"


class Announcement(models.Model):
    """お知らせ: written by staff in the Wagtail admin, aimed at an audience, sent by the chosen channels."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")

    title_ja = models.CharField(_("title (Japanese)"), max_length=120)
    title_en = models.CharField(_("title (English)"), max_length=120, blank=True)
    body_ja = models.TextField(_("text (Japanese)"), max_length=2000)
    body_en = models.TextField(_("text (English)"), max_length=2000, blank=True)
    link = models.CharField(_("link (optional)"), max_length=300, blank=True,
                            help_text=_("A page on this site (/consultations/...) or an https address."))
    districts = models.ManyToManyField(District, blank=True, related_name="+", verbose_name=_("districts"),
                                       help_text=_("Leave empty for the whole city."))
    topics = models.ManyToManyField(Topic, blank=True, related_name="+", verbose_name=_("interests"),
                                    help_text=_("Leave empty for every resident whatever their interests."))
    languages = models.JSONField(_("languages"), default=list, blank=True)
    roles = models.JSONField(_("roles"), default=list, blank=True)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    scheduled_at = models.DateTimeField(_("send at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT,
                              db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    batches_total = models.PositiveIntegerField(default=0)
    batches_done = models.PositiveIntegerField(default=0)

    ROLE_CHOICES = [(role, role) for role in ROLES]

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.localized_title

    @property
    def localized_title(self) -> str:
        return localized(self.title_ja, self.title_en)

    @property
    def localized_body(self) -> str:
        return localized(self.body_ja, self.body_en)


class AnnouncementDelivery(models.Model):
    """One announcement to one resident by one channel. The unique row is claimed (pending -> sending,
    committed) before anything leaves the machine, so a worker that dies mid-batch never sends twice."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        DEFERRED = "deferred", _("Waiting for the end of quiet hours")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Not reachable by this channel")

    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    not_before = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["announcement", "user", "channel"], name="delivery_once_per_channel"),
        ]
        indexes = [models.Index(fields=["announcement", "status", "channel"], name="delivery_status_idx")]

    def __str__(self) -> str:
        return f"{self.announcement_id} -> {self.user_id} by {self.channel}: {self.status}"


class DigestSent(models.Model):
    """A resident's digest for one period. The unique row is inserted before the mail is sent, so however
    many workers run the schedule, each resident gets one digest per period."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    frequency = models.CharField(max_length=8)  # daily / weekly
    period_start = models.DateField()
    items = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, default="sending")  # sending / sent / empty / failed
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "frequency", "period_start"], name="digest_once_per_period"),
        ]

    def __str__(self) -> str:
        return f"{self.frequency} digest {self.period_start} -> {self.user_id}"


class SchedulerState(models.Model):
    """One row: when the periodic tick last ran (locked by the tick so parallel chains fold into one)."""

    name = models.CharField(max_length=40, unique=True)
    last_tick_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name
