"""Results (施策・事業): what the city does with what residents said, with status, progress and history.

A result belongs to a consultation (or to none: a city-wide programme), has a status from a
configurable list (each status with a default progress), may override that progress, and may have
child results whose progress rolls up, weighted. ``progress`` is stored (for lists, filters and
sorting) and recomputed by ``services.result_progress_refresh`` after every change; nothing here
computes or validates on ``save()``: the services and ``clean()`` (for the Wagtail admin forms)
call the same checks in ``validation.py``.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.search import index

from participation.core.i18n import localized

TITLE_MAX = 200
TEXT_MAX = 4000


class ResultStatus(models.Model):
    """One entry of the configurable status list, e.g. 検討中 0 %, 予算化 20 %, 実施中 50 %, 完了 100 %."""

    key = models.SlugField(_("key"), max_length=40, unique=True,
                           help_text=_("Used in CSV imports and the API, e.g. planning, budgeted, in_progress, done."))
    name = models.CharField(_("name (Japanese)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=60, blank=True)
    default_progress = models.PositiveSmallIntegerField(
        _("default progress (%)"), default=0, help_text=_("Progress a result in this status shows unless staff override it."))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    panels = [FieldPanel("key"), FieldPanel("name"), FieldPanel("name_en"), FieldPanel("default_progress"),
              FieldPanel("order")]

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("result status")
        verbose_name_plural = _("result statuses")
        constraints = [
            models.CheckConstraint(condition=models.Q(default_progress__lte=100), name="result_status_progress_range"),
        ]

    def __str__(self) -> str:
        return f"{self.localized_name} ({self.default_progress}%)"

    @property
    def localized_name(self) -> str:
        return localized(self.name, self.name_en)

    def clean(self):
        from accountability.validation import check_progress

        check_progress(self.default_progress, field="default_progress")


class Department(models.Model):
    """A responsible department (担当課). Public history names the department, never the staff member."""

    slug = models.SlugField(_("key"), max_length=40, unique=True)
    name = models.CharField(_("name (Japanese)"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)

    panels = [FieldPanel("slug"), FieldPanel("name"), FieldPanel("name_en")]

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.localized_name

    @property
    def localized_name(self) -> str:
        return localized(self.name, self.name_en)


class Result(index.Indexed, ClusterableModel):
    consultation = models.ForeignKey(
        "cms.ConsultationPage", on_delete=models.CASCADE, null=True, blank=True, related_name="results",
        verbose_name=_("consultation"), help_text=_("Leave empty for a city-wide programme."),
    )
    external_id = models.CharField(
        _("external id"), max_length=64, unique=True, null=True, blank=True,
        help_text=_("The department's own number for this result; CSV imports create or update by it."),
    )
    title = models.CharField(_("title (Japanese)"), max_length=TITLE_MAX)
    title_en = models.CharField(_("title (English)"), max_length=TITLE_MAX, blank=True)
    description = models.TextField(_("description (Japanese)"), max_length=TEXT_MAX, blank=True)
    description_en = models.TextField(_("description (English)"), max_length=TEXT_MAX, blank=True)
    category = models.ForeignKey(
        "cms.ConsultationCategory", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("category"),
    )
    department = models.ForeignKey(Department, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="results", verbose_name=_("responsible department"))
    status = models.ForeignKey(ResultStatus, on_delete=models.PROTECT, related_name="results",
                               verbose_name=_("status"))
    progress_override = models.PositiveSmallIntegerField(
        _("progress override (%)"), null=True, blank=True,
        help_text=_("Leave empty to use the status's default progress. Ignored when the result has child results."),
    )
    start_date = models.DateField(_("planned start"), null=True, blank=True)
    end_date = models.DateField(_("planned end"), null=True, blank=True)
    budget_planned = models.PositiveBigIntegerField(_("planned budget (yen)"), null=True, blank=True)
    budget_spent = models.PositiveBigIntegerField(_("budget spent (yen)"), null=True, blank=True)
    parent = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="children",
                               verbose_name=_("parent result"))
    weight = models.PositiveSmallIntegerField(_("weight in the parent's progress"), default=1)
    # Stored, recomputed by services.result_progress_refresh (own or rolled up from the children).
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    # What the public history last recorded; edits made anywhere (admin, import) are diffed against it.
    recorded_state = models.JSONField(default=dict, blank=True, editable=False)

    panels = [
        FieldPanel("consultation"),
        FieldPanel("external_id"),
        FieldPanel("title"), FieldPanel("title_en"),
        FieldPanel("description"), FieldPanel("description_en"),
        FieldPanel("category"),
        FieldPanel("department"),
        MultiFieldPanel([FieldPanel("status"), FieldPanel("progress_override")], heading=_("Status and progress")),
        FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")], heading=_("Planned dates")),
        FieldRowPanel([FieldPanel("budget_planned"), FieldPanel("budget_spent")], heading=_("Budget")),
        MultiFieldPanel([FieldPanel("parent"), FieldPanel("weight")], heading=_("Parent result")),
        InlinePanel("places", label=_("Places on the map")),
        InlinePanel("proposal_links", label=_("Proposals this result answers")),
        InlinePanel("report_links", label=_("Reports this result resolves")),
    ]
    search_fields = [
        index.SearchField("title"), index.SearchField("title_en"), index.SearchField("description"),
        index.AutocompleteField("title"), index.FilterField("consultation_id"), index.FilterField("status_id"),
        index.FilterField("department_id"),
    ]

    class Meta:
        ordering = ["consultation_id", "pk"]
        verbose_name = _("result")
        verbose_name_plural = _("results")
        indexes = [
            models.Index(fields=["consultation", "status"], name="result_cons_status_idx"),
            models.Index(fields=["end_date"], name="result_end_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="result_progress_range"),
            models.CheckConstraint(
                condition=models.Q(progress_override__isnull=True) | models.Q(progress_override__lte=100),
                name="result_progress_override_range",
            ),
            models.CheckConstraint(
                condition=models.Q(start_date__isnull=True) | models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="result_end_after_start",
            ),
            models.CheckConstraint(condition=~models.Q(parent=models.F("pk")), name="result_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.localized_title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("accountability:detail", args=[self.pk])

    @property
    def localized_title(self) -> str:
        return localized(self.title, self.title_en)

    @property
    def localized_description(self) -> str:
        return localized(self.description, self.description_en)

    @property
    def is_overdue(self) -> bool:
        return bool(self.end_date and self.end_date < timezone.localdate() and self.progress < 100)

    def clean(self):
        from accountability.validation import check_result_fields

        check_result_fields(self)


class ResultPlace(models.Model):
    result = ParentalKey(Result, on_delete=models.CASCADE, related_name="places")
    label = models.CharField(_("place name"), max_length=120, blank=True)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    sort_order = models.IntegerField(null=True, blank=True, editable=False)

    panels = [FieldPanel("label"), FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")])]

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("place")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="result_place_on_earth",
            ),
        ]

    def __str__(self) -> str:
        return self.label or f"{self.latitude:.5f}, {self.longitude:.5f}"

    def clean(self):
        from accountability.validation import check_place

        check_place(self.latitude, self.longitude)


class ResultProposal(models.Model):
    """A proposal the result answers."""

    result = ParentalKey(Result, on_delete=models.CASCADE, related_name="proposal_links")
    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.CASCADE, related_name="result_links",
                                 verbose_name=_("proposal number"))
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    panels = [FieldPanel("proposal", widget=forms.NumberInput)]

    class Meta:
        verbose_name = _("linked proposal")
        constraints = [models.UniqueConstraint(fields=["result", "proposal"], name="result_proposal_unique")]

    def __str__(self) -> str:
        return f"{self.result_id} ← proposal {self.proposal_id}"

    def clean(self):
        from accountability.validation import check_proposal_linkable

        if self.proposal_id:
            check_proposal_linkable(self.proposal)


class ResultReport(models.Model):
    """A report whose resolution is this result (e.g. a pothole fixed by the road-repair programme)."""

    result = ParentalKey(Result, on_delete=models.CASCADE, related_name="report_links")
    report = models.ForeignKey("reports_map.Report", on_delete=models.CASCADE, related_name="result_links",
                               verbose_name=_("report number"))
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    panels = [FieldPanel("report", widget=forms.NumberInput)]

    class Meta:
        verbose_name = _("linked report")
        constraints = [models.UniqueConstraint(fields=["result", "report"], name="result_report_unique")]

    def __str__(self) -> str:
        return f"{self.result_id} ← report {self.report_id}"

    def clean(self):
        from accountability.validation import check_report_linkable

        if self.report_id:
            check_report_linkable(self.report)


class ResultEvent(models.Model):
    """One entry of a result's public timeline: a staff update (text, photo, new progress) and/or the
    changes of status, progress or dates. ``department`` is the name shown publicly; ``actor`` is kept
    for the audit trail only and never shown."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Result published")
        UPDATE = "update", _("Update")
        CHANGE = "change", _("Change")
        IMPORT = "import", _("Imported change")

    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    text = models.TextField(_("update"), max_length=TEXT_MAX, blank=True)
    # {"status": [old_key, new_key], "progress": [old, new], "start_date": [...], "end_date": [...]}
    changes = models.JSONField(default=dict, blank=True)
    department = models.CharField(max_length=80, blank=True)
    department_en = models.CharField(max_length=80, blank=True)
    image = models.FileField(upload_to="public/results/%Y/%m/", blank=True)
    thumbnail = models.FileField(upload_to="public/results/%Y/%m/", blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["result", "-created_at"], name="result_event_idx")]
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")

    def __str__(self) -> str:
        return f"{self.result_id} {self.kind} {self.created_at:%Y-%m-%d}"

    @property
    def localized_department(self) -> str:
        return localized(self.department, self.department_en)


class ResultFollow(models.Model):
    """A resident who asked to hear about a result's updates."""

    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="result_follows")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["result", "user"], name="result_follow_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} follows result {self.result_id}"
