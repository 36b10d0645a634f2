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
