"""Short ASCII addresses for pages with Japanese titles, and a slug clash explained in the staff's language.

Wagtail fills the slug from the title; a Japanese title gives a Japanese slug, which every browser, e-mail
and QR code carries %-encoded (「コミュニティバス路線の見直し」 becomes 126 characters). When the slug
would not be ASCII, the page gets a numbered one instead: ``consultation-4``, ``page-2``. Romanising was
measured and not chosen: pykakasi (the small offline option) adds 10 MB and two dependencies, takes 2 s
and 120 MB to load in every web process, and misreads place names (東町 → higashichou, not higashimachi),
which is worse in a city's address than a number. Staff may always type a readable ASCII slug.

A slug that another page under the same parent already uses (often a draft that autosave created and
nobody finished) is refused with a message that names that page and says what to do.
"""

from __future__ import annotations

from django import forms
from django.core.validators import validate_slug
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.models import Page

DEFAULT_PREFIX = "page"


def slug_prefix(page_class) -> str:
    """The class's ``slug_prefix``, else its model name without "page" (SurveyPage: "survey")."""
    explicit = getattr(page_class, "slug_prefix", None)
    if explicit:
        return explicit
    name = page_class._meta.model_name.removesuffix("page")
    return name if name.isascii() and name.isalnum() else DEFAULT_PREFIX


def numbered_slug(*, page_class, parent: Page | None, instance: Page | None = None) -> str:
    """``<prefix>-<n>``: n counts the pages of this type under the parent, then moves on while taken."""
    prefix = slug_prefix(page_class)
    siblings = parent.get_children() if parent is not None else Page.objects.none()
    n = siblings.type(page_class).count() + 1
    while parent is not None and not Page._slug_is_available(f"{prefix}-{n}", parent, instance):
        n += 1
    return f"{prefix}-{n}"


def slug_clash(*, slug: str, parent: Page | None, instance: Page | None = None) -> Page | None:
    """The sibling that already uses ``slug``, or None."""
    if parent is None or not slug:
        return None
    siblings = parent.get_children().filter(slug=slug)
    if instance is not None and instance.pk:
        siblings = siblings.exclude(pk=instance.pk)
    return siblings.first()


def clash_message(page: Page):
    edit = reverse("wagtailadmin_pages:edit", args=[page.pk])
    delete = reverse("wagtailadmin_pages:delete", args=[page.pk])
    if not page.live and page.first_published_at is None:
        return format_html(
            _("The address “{slug}” is taken by the unpublished draft “{title}” (perhaps saved automatically and "
              "never finished). <a href=\"{edit}\">Continue that draft</a>, <a href=\"{delete}\">delete it</a>, "
              "or type another slug."),
            slug=page.slug, title=page.draft_title or page.title, edit=edit, delete=delete,
        )
    return format_html(
        _("The address “{slug}” is already used by the page “{title}” under the same parent. Type another slug, "
          "or leave the slug empty to get a numbered one."),
        slug=page.slug, title=page.title,
    )


def numbered_slug_hint(form) -> str:
    parent = getattr(form, "parent_page", None)
    if parent is None:
        return "1"
    return numbered_slug(page_class=type(form.instance), parent=parent, instance=form.instance).rsplit("-", 1)[-1]


class AsciiSlugPageForm(WagtailAdminPageForm):
    """Every cms page's admin form: ASCII slugs, and a clash explained (see the module docstring)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False  # empty means: give me a numbered one
            self.fields["slug"].validators = []  # Japanese (and punctuation) becomes a numbered slug; see clean_slug
            self.fields["slug"].help_text = _(
                "The page's address: ASCII letters, digits and hyphens. When the title is Japanese, leave the slug "
                "as it is or empty: the page gets a short numbered address such as %(example)s."
            ) % {"example": f"{slug_prefix(type(self.instance))}-{numbered_slug_hint(self)}"}

    def clean_slug(self) -> str:
        slug = (self.cleaned_data.get("slug") or "").strip()
        if self.instance.pk and slug and slug == self.instance.slug:
            return slug  # a published address stays as it is, even an old Japanese one: links to it keep working
        parent = self.parent_page if getattr(self, "parent_page", None) is not None else self.instance.get_parent()
        if not slug or not slug.isascii():
            if self.instance.pk and self.instance.slug and self.instance.slug.isascii() and not slug:
                return self.instance.slug  # an existing page keeps its address when the field is emptied
            return numbered_slug(page_class=type(self.instance), parent=parent, instance=self.instance)
        validate_slug(slug)
        clash = slug_clash(slug=slug, parent=parent, instance=self.instance)
        if clash is not None:
            raise forms.ValidationError(clash_message(clash), code="slug_in_use")
        return slug


def ascii_slugs_for_every_page_type() -> None:
    """Give page types of other apps (surveys.SurveyPage) the same slug handling, without their importing cms:
    a page type that declares no form of its own gets AsciiSlugPageForm. Runs from CmsConfig.ready(), before
    any edit handler is built."""
    from wagtail.models import get_page_models

    for model in get_page_models():
        if model is not Page and "base_form_class" not in model.__dict__:
            model.base_form_class = AsciiSlugPageForm  # its own attribute: Wagtail sets Page's later
