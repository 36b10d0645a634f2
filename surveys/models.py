"""Survey pages, responses, answers, drafts and invitation codes.

Responses and codes belong to the default-language page (``SurveyPage.canonical``), so answers given on
the Japanese and the English copy count together. Each atomic answer is one ``Answer`` row with typed
columns (a choice code, a number, a date or a text), so results are GROUP BY queries in the database.
The survey, district and age band are copied onto each answer row (written once, never changed) so
filtered results read one index.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Locale, Page
from wagtail.search import index

from surveys.blocks import SurveyStreamBlock


class Audience(models.TextChoices):
    MEMBERS = "members", _("Signed-in residents (one response each)")
    BROWSER = "browser", _("Anyone, once per browser")
    INVITATION = "invitation", _("Holders of an invitation code")


class Source(models.TextChoices):
    ONLINE = "online", _("Online")
    PAPER = "paper", _("Paper")


def public_response_id() -> str:
    """The pseudonymous id a response has in exports: random, unrelated to users and codes."""
    return secrets.token_hex(8)


class SurveyPage(RoutablePageMixin, Page):
    intro = models.TextField(_("introduction"), blank=True)
    opens_at = models.DateTimeField(_("opens at"), default=timezone.now)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    audience = models.CharField(_("who may answer"), max_length=12, choices=Audience.choices, default=Audience.MEMBERS)
    results_public = models.BooleanField(_("publish the results after closing"), default=True)
    questions = StreamField(SurveyStreamBlock(), blank=True, verbose_name=_("questions"))
    thank_you = models.TextField(
        _("thank-you text"), blank=True,
        help_text=_("Shown after submitting: what happens next with the answers."),
    )

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        MultiFieldPanel([
            FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
            FieldPanel("audience"), FieldPanel("results_public"),
        ], heading=_("Answering")),
        FieldPanel("questions"),
        FieldPanel("thank_you"),
    ]
    search_fields = Page.search_fields + [index.SearchField("intro")]
    parent_page_types = ["cms.HomePage", "cms.ConsultationPage", "cms.ContentPage"]
    subpage_types: list[str] = []
    template = "surveys/survey_page.html"

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def clean(self):
        super().clean()
        if self.closes_at and self.opens_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("A survey must close after it opens.")})

    @cached_property
    def canonical(self) -> SurveyPage:
        """The default-language page that responses and codes belong to."""
        default = Locale.get_default()
        if self.locale_id == default.pk:
            return self
        other = self.get_translation_or_none(default)
        return other.specific if other is not None else self

    @cached_property
    def structure(self):
        """The canonical questions (keys, codes, rules) with this language copy's labels."""
        from surveys.questions import structure_from_stream

        canonical = structure_from_stream(self.canonical.questions)
        if self.canonical.pk == self.pk:
            return canonical
        return canonical.localized(structure_from_stream(self.questions))

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        canonical = self.canonical
        return canonical.live and canonical.opens_at <= now and (canonical.closes_at is None or now < canonical.closes_at)

    def is_closed(self, now=None) -> bool:
        now = now or timezone.now()
        closes_at = self.canonical.closes_at
        return closes_at is not None and now >= closes_at

    def not_yet_open(self, now=None) -> bool:
        return (now or timezone.now()) < self.canonical.opens_at

    @property
    def consultation(self):
        """The consultation page this survey sits under, if any (for opinion analysis)."""
        parent = self.canonical.get_parent()
        if parent is not None and parent.specific_class.__name__ == "ConsultationPage":
            return parent.specific
        return None

    # --- Routes: answering flow, poster, results (views live in surveys/views.py; qr.svg/png in page_urls.py) ---

    def serve_view(self, name, request, *args, **kwargs):
        from surveys import views

        return getattr(views, name)(request, self, *args, **kwargs)

    @path("")
    def start(self, request):
        return self.serve_view("survey_start", request)

    @path("step/<int:step>/")
    def step(self, request, step):
        return self.serve_view("survey_step", request, step)

    @path("review/")
    def review(self, request):
        return self.serve_view("survey_review", request)

    @path("thanks/")
    def thanks(self, request):
        return self.serve_view("survey_thanks", request)

    @path("poster/")
    def poster(self, request):
        return self.serve_view("survey_poster", request)

    @path("results/")
    def results(self, request):
        return self.serve_view("survey_results_public", request)


class Response(models.Model):
    survey = models.ForeignKey(SurveyPage, on_delete=models.CASCADE, related_name="responses")
    public_id = models.CharField(max_length=16, unique=True, default=public_response_id, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="survey_responses")
    # A keyed hash of the browser's survey cookie ("once per browser"); empty otherwise.
    browser_key = models.CharField(max_length=64, blank=True, default="")
    source = models.CharField(_("source"), max_length=8, choices=Source.choices, default=Source.ONLINE)
    language = models.CharField(_("language"), max_length=8, default=settings.LANGUAGE_CODE)
    district = models.CharField(_("district"), max_length=80, blank=True, default="")
    age_band = models.CharField(_("age band"), max_length=40, blank=True, default="")
    via_invitation = models.BooleanField(default=False)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        constraints = [
            models.UniqueConstraint(fields=["survey", "user"], condition=models.Q(user__isnull=False),
                                    name="survey_response_one_per_user"),
            models.UniqueConstraint(fields=["survey", "browser_key"], condition=~models.Q(browser_key=""),
                                    name="survey_response_one_per_browser"),
            models.CheckConstraint(condition=models.Q(source__in=Source.values), name="survey_response_source_valid"),
        ]
        indexes = [models.Index(fields=["survey", "district", "age_band"], name="survey_response_attr_idx")]

    def __str__(self) -> str:
        return f"response {self.public_id} to survey {self.survey_id}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    survey = models.ForeignKey(SurveyPage, on_delete=models.CASCADE, related_name="+")
    question = models.CharField(max_length=40)
    item = models.CharField(max_length=40, blank=True, default="")  # matrix row or ranked item
    choice = models.CharField(max_length=40, blank=True, default="")
    number = models.DecimalField(max_digits=24, decimal_places=6, null=True, blank=True)
    date = models.DateField(null=True, blank=True)
    text = models.TextField(blank=True, default="")
    district = models.CharField(max_length=80, blank=True, default="")
    age_band = models.CharField(max_length=40, blank=True, default="")

    class Meta:
        indexes = [
            models.Index(fields=["survey", "question", "item", "choice", "number"], name="survey_answer_agg_idx"),
            models.Index(fields=["survey", "district", "question", "item", "choice", "number"],
                         name="survey_answer_district_idx"),
            models.Index(fields=["survey", "age_band", "question", "item", "choice", "number"],
                         name="survey_answer_age_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.choice or self.number or self.date or self.text[:20]}"


class Draft(models.Model):
    """Answers given so far, kept so a resident can go back and continue later (raw, unvalidated)."""

    survey = models.ForeignKey(SurveyPage, on_delete=models.CASCADE, related_name="drafts")
    owner = models.CharField(max_length=80)  # "u:<user id>", "b:<browser key>" or "c:<code id>"
    data = models.JSONField(default=dict)
    step = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "owner"], name="survey_draft_one_per_owner")]

    def __str__(self) -> str:
        return f"draft {self.owner} for survey {self.survey_id}"


class InvitationCode(models.Model):
    """A single-use code printed on a letter to a sampled resident. It records when it was used,
    never by whom or which response: staff know who got which code (mail merge), so a link would
    name the resident behind a response."""

    survey = models.ForeignKey(SurveyPage, on_delete=models.CASCADE, related_name="invitation_codes")
    code = models.CharField(max_length=20, unique=True)
    batch = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["survey", "batch"], name="survey_code_batch_idx")]

    def __str__(self) -> str:
        return f"code for survey {self.survey_id} ({'used' if self.used_at else 'unused'})"

    @property
    def display(self) -> str:
        from surveys.codes import format_code

        return format_code(self.code)


class Tally(models.Model):
    """How many answers have each value, per survey, district and age band: the results read this (a few
    hundred rows) instead of grouping every answer. Kept in the same transaction as the answers it counts
    (``services.tally_add``); ``services.tally_rebuild`` recomputes it from the answers and
    ``tally_mismatches`` proves they agree. ``value`` is a choice code or a scale point; the row with an
    empty ``value`` counts the responses that answered the question (or the matrix row / ranked item)."""

    survey = models.ForeignKey(SurveyPage, on_delete=models.CASCADE, related_name="+")
    district = models.CharField(max_length=80, blank=True, default="")
    age_band = models.CharField(max_length=40, blank=True, default="")
    question = models.CharField(max_length=40)
    item = models.CharField(max_length=40, blank=True, default="")
    value = models.CharField(max_length=40, blank=True, default="")
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "district", "age_band", "question", "item", "value"],
                                    name="survey_tally_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id} {self.question}/{self.item}/{self.value}: {self.count}"
