"""Template helpers for the dashboard tables (dict rows keyed by column)."""

from django import template

register = template.Library()


@register.simple_tag
def cell(row, column):
    """``{% cell row "column" %}`` — the value of a dict row (auto-escaped like any variable)."""
    if isinstance(row, dict):
        value = row.get(column, "")
    else:
        value = getattr(row, column, "")
    return "" if value is None else value
