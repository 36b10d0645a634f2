"""Template helpers shared by every app."""

from django import template

register = template.Library()


@register.simple_tag
def field_widget(field):
    """Render a bound field's widget with its help text and errors tied to it for screen readers."""
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}_helptext")
    if field.errors:
        described.append(f"{field.auto_id}_error")
    attrs = {}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.simple_tag(takes_context=True)
def has_perm(context, permission: str, obj=None) -> bool:
    """``{% has_perm "proposals.support_proposal" proposal as can_support %}`` — the same names as views."""
    user = context.get("user") or getattr(context.get("request"), "user", None)
    return bool(user and user.has_perm(permission, obj))


@register.simple_tag(takes_context=True)
def detail_sections(context, kind: str, obj):
    """``{% detail_sections "proposal" proposal %}`` — what other apps registered for this kind of page."""
    from django.template.loader import render_to_string
    from django.utils.safestring import mark_safe

    from participation.core.registry import detail_sections as sections_for

    request = context.get("request")
    parts = []
    for section in sections_for(kind):
        rendered = section(request, obj)
        if rendered:
            template_name, extra = rendered
            parts.append(render_to_string(template_name, extra, request=request))
    return mark_safe("".join(parts))  # noqa: S308 - each part rendered by an auto-escaping template


WEEKDAYS_JA = "月火水木金土日"


@register.filter
def resident_date(value) -> str:
    """A date as residents read it: 2026年11月2日（月） in Japanese, Mon 2 Nov 2026 in English."""
    from datetime import datetime

    from django.utils import timezone, translation
    from django.utils.dateformat import format as date_format

    if not value:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if (translation.get_language() or "ja").startswith("ja"):
        return f"{value.year}年{value.month}月{value.day}日（{WEEKDAYS_JA[value.weekday()]}）"
    return date_format(value, "D j M Y")


@register.simple_tag
def days_left(last_day) -> str:
    """"あと12日" / "12 days left" for a phase whose last day is ``last_day`` (a date); "" when past."""
    from django.utils import timezone
    from django.utils.translation import gettext, ngettext

    if not last_day:
        return ""
    days = (last_day - timezone.localdate()).days
    if days < 0:
        return ""
    if days == 0:
        return gettext("Last day today")
    return ngettext("%(n)d day left", "%(n)d days left", days) % {"n": days}


@register.filter
def lang_of(text) -> str:
    """`` lang="ja"`` (or ``en``) for words people wrote in another language than the page's, else nothing:
    ``<p{{ comment.body|lang_of }}>``. Residents and staff write in their own language and nothing translates
    them, so an English page holds Japanese proposals; marked, a screen reader reads them in a Japanese voice
    instead of spelling them out in an English one (WCAG 3.1.2, language of parts)."""
    from django.utils.html import format_html
    from django.utils.translation import get_language

    from ml.text import detect_language

    if not text:
        return ""
    written = detect_language([str(text)])
    page = (get_language() or "ja").split("-")[0]
    if written in ("ja", "en") and written != page:
        return format_html(' lang="{}"', written)
    return ""
