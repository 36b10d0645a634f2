"""Wagtail pages that frame participation: home, consultation index, consultation, content."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Locale, Orderable, Page, PageViewRestriction
from wagtail.search import index

from cms.blocks import BaseStreamBlock
from cms.slugs import AsciiSlugPageForm
from participation.core import freshness
from participation.core.i18n import localized


class PhaseKind(models.TextChoices):
    INFORMATION = "information", _("Information")
    PROPOSALS = "proposals", _("Proposals")
    SUPPORT = "support", _("Support")
    CLOSED = "closed", _("Closed")


# What each phase kind opens. Every feature app gates its actions on these feature names.
PHASE_FEATURES: dict[str, frozenset[str]] = {
    PhaseKind.INFORMATION: frozenset(),
    PhaseKind.PROPOSALS: frozenset({"create", "comment", "support"}),
    PhaseKind.SUPPORT: frozenset({"comment", "support"}),
    PhaseKind.CLOSED: frozenset(),
}


def _route_to_specific(parent: Page, child_model, request, path_components):
    """Route to a child of one known page type in one query (Wagtail's ``route`` fetches the base page, then
    its specific row: two per level). Falls back to Wagtail's own routing for any other child."""
    if path_components:
        child = child_model.objects.child_of(parent).filter(slug=path_components[0]).first()
        if child is not None:
            child._cached_parent_obj = parent
            return child.route(request, path_components[1:])
    return Page.route(parent, request, path_components)


def default_locale_pk() -> int:
    """The default-language Locale's pk, kept a few minutes in the shared cache (it never changes in practice;
    the cache is cleared between tests): one query less on every consultation page."""
    from django.core.cache import cache

    return cache.get_or_set("cms:default-locale-pk", lambda: Locale.get_default().pk, 300)


def restricted_paths() -> tuple[str, ...]:
    """The tree paths under which Wagtail's own view-restriction check is needed: pages with a view restriction
    and alias pages (an alias takes its source's restrictions). Kept under the site stamp, which publishing,
    moving or deleting a page and changing a restriction bump (cms/registration.py)."""
    return freshness.cached("cms:restricted-paths", [freshness.SITE], lambda: (
        tuple(PageViewRestriction.objects.values_list("page__path", flat=True))
        + tuple(Page.objects.filter(alias_of__isnull=False).values_list("path", flat=True))
    ))


def is_public(page) -> bool:
    """Live and outside every restricted section, as ``Page.objects.live().public()`` says, without a query
    on most requests."""
    if not page.live:
        return False
    if not freshness.enabled():
        return type(page).objects.live().public().filter(pk=page.pk).exists()
    paths = restricted_paths()
    if any(page.path.startswith(path) for path in paths):
        return type(page).objects.live().public().filter(pk=page.pk).exists()
    return True


class CachedRestrictionsMixin:
    """Wagtail checks a page's view restrictions on every request (two queries: the ancestors' aliases, then
    the restrictions); outside every restricted section the answer is known to be none."""

    def get_view_restrictions(self):
        if freshness.enabled() and not any(self.path.startswith(path) for path in restricted_paths()):
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()


def phase_schedule_errors(phases) -> list[str]:
    """What is wrong with a consultation's phases taken together (each is (kind, starts_at, ends_at)):
    they must follow one another without overlap or gap, and only the last may be open-ended."""
    ordered = sorted((p for p in phases if p[1] is not None), key=lambda p: p[1])
    errors = []
    for (kind, _starts, ends), (next_kind, next_starts, _next_ends) in zip(ordered, ordered[1:], strict=False):
        labels = {"first": PhaseKind(kind).label if kind in PhaseKind.values else kind,
                  "second": PhaseKind(next_kind).label if next_kind in PhaseKind.values else next_kind}
        if ends is None or ends > next_starts:
            errors.append(_("The phases “%(first)s” and “%(second)s” overlap: a phase must end when the next one starts.")
                          % labels)
        elif ends < next_starts:
            errors.append(_("There is a gap between the phases “%(first)s” and “%(second)s”: the next phase must start "
                            "when the previous one ends.") % labels)
    return errors


class ConsultationPageForm(AsciiSlugPageForm):
    """Refuses overlapping phases and gaps between them, and takes the consultation's dates from the phases."""

    def clean(self):
        cleaned = super().clean()
        formset = self.formsets.get("phases")
        if formset is None or not formset.is_valid():  # the formset's own errors are shown on its forms
            return cleaned
        phases = [
            (form.cleaned_data.get("kind"), form.cleaned_data.get("starts_at"), form.cleaned_data.get("ends_at"))
            for form in formset.forms
            if getattr(form, "cleaned_data", None) and not form.cleaned_data.get("DELETE")
        ]
        for error in phase_schedule_errors(phases):
            self.add_error(None, error)
        starts = [p[1] for p in phases if p[1] is not None]
        ends = [p[2] for p in phases if p[2] is not None]
        if starts:
            cleaned["start_date"] = self.instance.start_date = timezone.localtime(min(starts)).date()
        if ends:
            last = timezone.localtime(max(ends) - timedelta(microseconds=1)).date()
            cleaned["end_date"] = self.instance.end_date = last
        return cleaned


def with_card_images(consultations):
    """Consultation pages with their card pictures and the card's rendition, in two queries for the whole list."""
    from wagtail.images import get_image_model

    images = get_image_model().objects.prefetch_renditions(ConsultationPage.CARD_IMAGE_SPEC)
    return consultations.prefetch_related(Prefetch("image", queryset=images))


class HomePage(CachedRestrictionsMixin, Page):
    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(BaseStreamBlock(), blank=True, verbose_name=_("body"))

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["cms.ConsultationIndexPage", "cms.ContentPage", "surveys.SurveyPage"]
    max_count_per_parent = 1
    base_form_class = AsciiSlugPageForm
    slug_prefix = "home"

    class Meta:
        verbose_name = _("home page")
        verbose_name_plural = _("home pages")

    def get_context(self, request, *args, **kwargs):
        from participation.core.registry import registry

        context = super().get_context(request, *args, **kwargs)
        context["consultations"] = with_card_images(
            ConsultationPage.objects.live().public().filter(locale=self.locale).order_by("-featured", "-start_date")
        )[:6]
        context["headline_counts"] = [(label, func()) for label, func in registry.headline_counts.values()]
        return context

    def route(self, request, path_components):
        return _route_to_specific(self, ConsultationIndexPage, request, path_components)


class ConsultationIndexPage(CachedRestrictionsMixin, Page):
    intro = models.TextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.ConsultationPage"]
    base_form_class = AsciiSlugPageForm
    slug_prefix = "consultations"

    class Meta:
        verbose_name = _("consultation index")
        verbose_name_plural = _("consultation indexes")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["consultations"] = with_card_images(
            ConsultationPage.objects.child_of(self).live().public().order_by("-start_date"))
        return context

    def route(self, request, path_components):
        return _route_to_specific(self, ConsultationPage, request, path_components)


class ConsultationPage(CachedRestrictionsMixin, Page):
    """A consultation. Proposals, supports and analyses attach to its default-language page.

    Its dates are its phases' (``first_day``, ``last_day``); ``start_date`` and ``end_date`` are a stored copy
    for ordering and the API, written by the admin form from the phases."""

    summary = models.TextField(_("summary"), max_length=600)
    body = StreamField(BaseStreamBlock(), blank=True, verbose_name=_("body"))
    start_date = models.DateField(_("start date"), default=date.today)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    featured = models.BooleanField(_("featured on the home page"), default=False)
    # The picture on the consultation's card (home page, consultation index); without one the card draws a
    # placeholder in the colour of the current phase (templates/cms/includes/consultation_card.html).
    image = models.ForeignKey(
        "wagtailimages.Image", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("card image"),
    )
    image_alt = models.CharField(
        _("card image description (alt text)"), max_length=200, blank=True,
        help_text=_("What the picture shows, for residents who cannot see it. Leave empty only if the picture is "
                    "decoration; the image's own description is used when there is one."),
    )
    supports_per_user = models.PositiveIntegerField(
        _("supports per resident"), default=0, help_text=_("0 means no limit.")
    )
    proposals_per_user = models.PositiveIntegerField(
        _("proposals per resident"), default=0, help_text=_("0 means no limit.")
    )
    support_threshold = models.PositiveIntegerField(
        _("support threshold"), default=0, help_text=_("Supports a proposal needs to be considered; 0 for none.")
    )
    map_latitude = models.FloatField(
        _("map centre latitude"), default=settings.CITY["center"][0],
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    map_longitude = models.FloatField(
        _("map centre longitude"), default=settings.CITY["center"][1],
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    map_zoom = models.PositiveSmallIntegerField(
        _("map zoom"), default=settings.CITY["zoom"], validators=[MinValueValidator(1), MaxValueValidator(19)]
    )

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("featured"),
        MultiFieldPanel([FieldPanel("image"), FieldPanel("image_alt")], heading=_("Card image")),
        InlinePanel("categories", label=_("Categories")),
        InlinePanel("phases", label=_("Phases"), min_num=1),
        MultiFieldPanel(
            [FieldPanel("supports_per_user"), FieldPanel("proposals_per_user"), FieldPanel("support_threshold")],
            heading=_("Participation settings"),
        ),
        MultiFieldPanel(
            [FieldPanel("map_latitude"), FieldPanel("map_longitude"), FieldPanel("map_zoom")], heading=_("Map")
        ),
    ]
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("body")]
    base_form_class = ConsultationPageForm
    slug_prefix = "consultation"
    parent_page_types = ["cms.ConsultationIndexPage"]
    subpage_types = ["surveys.SurveyPage"]

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")

    def clean(self):
        super().clean()
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date must not be before the start date.")})

    @cached_property
    def canonical(self) -> ConsultationPage:
        """The default-language page that proposals and supports belong to."""
        default_pk = default_locale_pk()
        if self.locale_id == default_pk:
            return self
        return self.get_translation_or_none(Locale.objects.get(pk=default_pk)) or self

    def load_phases(self) -> None:
        """Phases and categories of the canonical page in memory (the phase, the sections' gates and the
        templates all read them): from the cache under the site stamp, which any phase or category change
        and any publishing bump after commit; else two queries."""
        canonical = self.canonical
        held = getattr(canonical, "_prefetched_objects_cache", {})
        if "phases" in held and "categories" in held:
            return
        if getattr(canonical, "_cluster_related_objects", None):  # a preview: the draft's own phases
            return
        if not freshness.enabled():
            prefetch_related_objects([canonical], "phases", "categories")
            return
        phases, categories = freshness.cached(
            f"cms:phases:{canonical.pk}", [freshness.SITE],
            lambda: (list(canonical.phases.all()), list(canonical.categories.all())),
        )
        canonical._prefetched_objects_cache = {**held, "phases": _prefetched(canonical.phases, phases),
                                               "categories": _prefetched(canonical.categories, categories)}

    def current_phase(self, now=None):
        self.load_phases()
        now = now or timezone.now()
        for phase in self.canonical.phases.all():
            if phase.starts_at <= now and (phase.ends_at is None or now < phase.ends_at):
                return phase
        return None

    @property
    def first_day(self) -> date | None:
        """The first day of the first phase: the phases are the one source of the consultation's dates."""
        self.load_phases()
        phases = list(self.canonical.phases.all())
        return phases[0].first_day if phases else self.start_date

    @property
    def last_day(self) -> date | None:
        """The last day residents can take part: the end of the last phase that has an end."""
        self.load_phases()
        ends = [p.last_day for p in self.canonical.phases.all() if p.ends_at]
        return max(ends) if ends else self.end_date

    def phase_allows(self, feature: str) -> bool:
        phase = self.current_phase()
        return phase is not None and feature in PHASE_FEATURES.get(phase.kind, frozenset())

    CARD_IMAGE_SPEC = "fill-640x360|format-webp"

    @property
    def card_image(self):
        """The card's picture: this page's, else the default-language page's (an English copy made before the
        picture was chosen has none of its own)."""
        return self.image or self.canonical.image

    @property
    def card_image_alt(self) -> str:
        image = self.card_image
        if image is None:
            return ""
        own = self.image_alt if self.image_id else self.canonical.image_alt
        return own or getattr(image, "description", "") or ""

    @property
    def placeholder_shapes(self) -> list[tuple[int, int, int]]:
        """Three circles (cx, cy, r) of the placeholder drawing, different for each consultation, always the same
        for one (so cards are told apart at a glance)."""
        seed = (self.canonical.pk or 0) * 2654435761 % 2**32
        return [(40 + (seed >> (8 * i)) % 240, 30 + (seed >> (8 * i + 3)) % 100, 38 + i * 17) for i in range(3)]

    def localized_categories(self):
        self.load_phases()
        return self.canonical.categories.all()

    def serve(self, request, *args, **kwargs):
        """Anonymous visitors may share this page's answer (participation/core/pagecache.py) while neither the
        site nor this consultation changes, and at most until its next phase starts or ends."""
        from participation.core import pagecache

        if pagecache.enabled():
            pagecache.mark(request, scopes=[freshness.SITE, freshness.consultation(self.canonical.pk)],
                           timeout=self.seconds_until_time_changes_it())
        return super().serve(request, *args, **kwargs)

    def seconds_until_time_changes_it(self, now=None) -> int:
        """Seconds until the page changes by the clock alone: the next phase starts or ends, or the day ends
        (the days left)."""
        self.load_phases()
        now = now or timezone.now()
        local = timezone.localtime(now)
        midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        moments = [m for p in self.canonical.phases.all() for m in (p.starts_at, p.ends_at) if m and m > now]
        return max(0, int((min([midnight, *moments]) - now).total_seconds()))

    def get_context(self, request, *args, **kwargs):
        from participation.core.registry import consultation_sections

        context = super().get_context(request, *args, **kwargs)
        # Phases and categories once: the phase, the sections' gates and the template all read them.
        self.load_phases()
        context["phase"] = self.current_phase()
        context["all_phases"] = self.canonical.phases.all()
        sections = []
        for section in consultation_sections():
            rendered = section(request, self)
            if rendered:
                sections.append(rendered)
        context["sections"] = sections
        # The city's published summary sits below the proposals; a link near the top leads to it.
        context["has_published_summary"] = any(name == "ml/published_summary.html" for name, _ in sections)
        return context


def _prefetched(manager, rows):
    """``rows`` as Django's prefetching stores them, so ``manager.all()`` answers without a query."""
    queryset = manager.get_queryset()
    queryset._result_cache = list(rows)
    queryset._prefetch_done = True
    return queryset


class ConsultationCategory(Orderable):
    page = ParentalKey(ConsultationPage, on_delete=models.CASCADE, related_name="categories")
    slug = models.SlugField(_("slug"), max_length=40)
    name = models.CharField(_("name (Japanese)"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)

    panels = [FieldPanel("slug"), FieldPanel("name"), FieldPanel("name_en")]

    class Meta(Orderable.Meta):
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.localized_name

    @property
    def localized_name(self) -> str:
        return localized(self.name, self.name_en)


class ConsultationPhase(Orderable):
    page = ParentalKey(ConsultationPage, on_delete=models.CASCADE, related_name="phases")
    kind = models.CharField(_("kind"), max_length=20, choices=PhaseKind.choices)
    title = models.CharField(_("title"), max_length=120, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)

    panels = [FieldPanel("kind"), FieldPanel("title"), FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")])]

    class Meta(Orderable.Meta):
        verbose_name = _("phase")
        verbose_name_plural = _("phases")

    def __str__(self) -> str:
        return self.title or self.get_kind_display()

    def clean(self):
        if self.ends_at and self.starts_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("A phase must end after it starts.")})

    @property
    def is_current(self) -> bool:
        now = timezone.now()
        return self.starts_at <= now and (self.ends_at is None or now < self.ends_at)

    @property
    def first_day(self) -> date:
        return timezone.localtime(self.starts_at).date()

    @property
    def last_day(self) -> date | None:
        """The last day of the phase as residents count: ``ends_at`` itself is the first moment after it."""
        if self.ends_at is None:
            return None
        return timezone.localtime(self.ends_at - timedelta(microseconds=1)).date()


class ContentPage(CachedRestrictionsMixin, Page):
    body = StreamField(BaseStreamBlock(), blank=True, verbose_name=_("body"))

    content_panels = Page.content_panels + [FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("body")]
    parent_page_types = ["cms.HomePage", "cms.ContentPage"]
    subpage_types = ["cms.ContentPage", "surveys.SurveyPage"]
    base_form_class = AsciiSlugPageForm
    slug_prefix = "page"

    class Meta:
        verbose_name = _("content page")
        verbose_name_plural = _("content pages")
