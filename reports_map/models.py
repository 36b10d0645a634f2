"""Issue reports: categories with Open311 attributes, reports with a plain lat/long, photos, updates."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel

from participation.core.i18n import localized
from participation.models import Moderatable


class Category(ClusterableModel):
    """A kind of problem residents report; one Open311 service. Staff edit it, with its questions inline,
    in the Wagtail admin (reports_map/wagtail_hooks.py); a cluster so the questions save with it."""

    service_code = models.SlugField(_("Open311 service code"), max_length=50, unique=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    description_ja = models.CharField(_("description (Japanese)"), max_length=300, blank=True)
    description_en = models.CharField(_("description (English)"), max_length=300, blank=True)
    group = models.CharField(_("group"), max_length=100, blank=True)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("report category")
        verbose_name_plural = _("report categories")

    def __str__(self) -> str:
        return self.localized_name

    @property
    def localized_name(self) -> str:
        return localized(self.name_ja, self.name_en)

    @property
    def localized_description(self) -> str:
        return localized(self.description_ja, self.description_en)


class CategoryQuestion(models.Model):
    """An extra question of a category: an Open311 service attribute."""

    class Datatype(models.TextChoices):
        STRING = "string", _("short text")
        NUMBER = "number", _("number")
        DATETIME = "datetime", _("date and time")
        TEXT = "text", _("long text")
        SINGLEVALUELIST = "singlevaluelist", _("one choice")
        MULTIVALUELIST = "multivaluelist", _("several choices")

    category = ParentalKey(Category, on_delete=models.CASCADE, related_name="questions")
    code = models.SlugField(_("code"), max_length=50,
                            help_text=_("Letters, digits, - and _ only; the Open311 attribute code. Answers are stored under it."))
    datatype = models.CharField(_("datatype"), max_length=20, choices=Datatype.choices, default=Datatype.STRING)
    required = models.BooleanField(_("required"), default=False)
    order = models.PositiveIntegerField(_("order"), default=0)
    description_ja = models.CharField(_("question (Japanese)"), max_length=300)
    description_en = models.CharField(_("question (English)"), max_length=300, blank=True)
    # For value lists: [{"key": "...", "name_ja": "...", "name_en": "..."}]
    values = models.JSONField(
        _("values"), default=list, blank=True,
        help_text=_("For “one choice” and “several choices” only: one choice a line, "
                    "as key | Japanese name | English name, e.g. small | 小さい | Small."),
    )

    class Meta:
        ordering = ["order", "pk"]
        constraints = [models.UniqueConstraint(fields=["category", "code"], name="reports_question_code_unique")]
        verbose_name = _("extra question")
        verbose_name_plural = _("extra questions")

    def __str__(self) -> str:
        return self.code

    def clean(self) -> None:
        """Value lists need choices, each with a key and a Japanese name, keys once each; other types none."""
        super().clean()
        lists = (self.Datatype.SINGLEVALUELIST, self.Datatype.MULTIVALUELIST)
        values = self.values or []
        if self.datatype not in lists:
            if values:
                raise ValidationError({"values": _("Only “one choice” and “several choices” questions have values. "
                                                   "Empty this field or change the type.")})
            return
        if not isinstance(values, list) or not values:
            raise ValidationError({"values": _("Give at least one choice, one a line, e.g. small | 小さい | Small.")})
        keys = []
        for value in values:
            if not isinstance(value, dict) or not str(value.get("key") or "").strip() \
                    or not str(value.get("name_ja") or "").strip():
                raise ValidationError({"values": _("Each choice needs a key and a Japanese name: key | Japanese name | "
                                                   "English name.")})
            keys.append(str(value["key"]).strip())
        if len(keys) != len(set(keys)):
            raise ValidationError({"values": _("Each choice needs its own key; a key appears twice.")})

    @property
    def localized_description(self) -> str:
        return localized(self.description_ja, self.description_en)

    def localized_values(self) -> list[tuple[str, str]]:
        return [
            (str(v.get("key")), str(localized(v.get("name_ja") or v.get("key"), v.get("name_en"))))
            for v in self.values or []
        ]


class Status(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    IN_PROGRESS = "in_progress", _("In progress")
    FIXED = "fixed", _("Fixed")
    CLOSED_NOT_RESPONSIBLE = "closed_not_responsible", _("Closed: not the city's responsibility")
    CLOSED_NO_ACTION = "closed_no_action", _("Closed: no further action")
    CLOSED_DUPLICATE = "closed_duplicate", _("Closed: duplicate")


OPEN_STATUSES = (Status.OPEN, Status.ACKNOWLEDGED, Status.IN_PROGRESS)
CLOSED_STATUSES = (Status.FIXED, Status.CLOSED_NOT_RESPONSIBLE, Status.CLOSED_NO_ACTION, Status.CLOSED_DUPLICATE)


class Report(Moderatable):
    """A geotagged issue report. Location is two plain float columns (no GeoDjango)."""

    class Source(models.TextChoices):
        WEB = "web", _("website")
        OPEN311 = "open311", _("Open311")

    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="reports")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="reports"
    )
    description = models.TextField(_("description"), max_length=4000)
    address = models.CharField(_("address or landmark"), max_length=200, blank=True)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    status = models.CharField(_("status"), max_length=32, choices=Status.choices, default=Status.OPEN)
    private = models.BooleanField(_("private"), default=False)
    show_name = models.BooleanField(_("show my display name"), default=False)
    attributes = models.JSONField(_("answers to extra questions"), default=dict, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="assigned_reports",
        verbose_name=_("assigned to"),
    )
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="duplicates",
        verbose_name=_("duplicate of"),
    )
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.WEB)
    api_key = models.ForeignKey("Open311ApiKey", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Contact details given through Open311; never public.
    contact = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now)
    fixed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # Bounding-box queries: a range on latitude, then longitude; the trailing columns make the
            # index covering for the map's filters and grid aggregation (no table lookups on SQLite).
            models.Index(fields=["latitude", "longitude", "status", "category", "private", "hidden_at", "author"],
                         name="report_bbox_idx"),
            models.Index(fields=["category", "status"], name="report_category_status_idx"),
            models.Index(fields=["status", "created_at"], name="report_status_created_idx"),
        ]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return f"#{self.pk} {self.category_id}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def colour(self) -> str:
        """Map colour key: red (not handled), yellow (being handled), green (fixed), grey (closed otherwise)."""
        if self.status == Status.OPEN:
            return "red"
        if self.status in (Status.ACKNOWLEDGED, Status.IN_PROGRESS):
            return "yellow"
        if self.status == Status.FIXED:
            return "green"
        return "grey"

    @property
    def public_author_name(self) -> str:
        if self.show_name and self.author_id and self.author:
            return self.author.public_name
        return ""

    def short_description(self) -> str:
        return self.description if len(self.description) <= 80 else self.description[:79] + "…"


class ReportPhoto(Moderatable):
    """A re-encoded photo (never the original). Files live under public/ only while anyone may see them."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="photos")
    update = models.ForeignKey("ReportUpdate", on_delete=models.CASCADE, null=True, blank=True, related_name="photos")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Server-generated names, relative to MEDIA_ROOT (public/reports/... or private/reports/...).
    image = models.CharField(max_length=200)
    thumbnail = models.CharField(max_length=200)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    moderation_author_field = "uploaded_by"

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.image

    @property
    def is_public_file(self) -> bool:
        return self.image.startswith("public/")


class ReportUpdate(models.Model):
    """A public update by staff and/or a status change; together they are the status history."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    text = models.TextField(_("update"), max_length=4000, blank=True)
    status_from = models.CharField(max_length=32, choices=Status.choices, blank=True)
    status_to = models.CharField(max_length=32, choices=Status.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["report", "created_at"], name="report_update_idx")]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.status_from}->{self.status_to}"


class ReportFollower(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followed_reports")
    me_too = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "user"], name="report_follower_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.report_id}"


class ReportDraft(models.Model):
    """Step 1 of the no-JS flow: validated input and processed (metadata-free) photos kept until confirmed."""

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return str(self.token)


class ReportDraftPhoto(models.Model):
    draft = models.ForeignKey(ReportDraft, on_delete=models.CASCADE, related_name="photos")
    image_bytes = models.BinaryField()
    thumbnail_bytes = models.BinaryField()
    extension = models.CharField(max_length=8)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"draft {self.draft_id} photo {self.pk}"


class Open311ApiKey(models.Model):
    """A key for Open311 POST. Only a SHA-256 digest is stored; the key is shown once."""

    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=8, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("Open311 API key")
        verbose_name_plural = _("Open311 API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
