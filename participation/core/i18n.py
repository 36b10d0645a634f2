"""The one rule for content kept in Japanese with an optional English copy (category names,
descriptions, the city's name): English when the page is in English and a copy exists."""

from __future__ import annotations

from django.utils.translation import get_language


def is_english() -> bool:
    return (get_language() or "ja").startswith("en")


def localized(japanese, english=None):
    """``english`` on an English page when it is not empty, ``japanese`` otherwise."""
    return english if english and is_english() else japanese
