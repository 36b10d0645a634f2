"""The one rule for content kept in Japanese with an optional English copy (category names,
descriptions, the city's name): English when the page is in English and a copy exists."""

from __future__ import annotations

from django.utils.translation import get_language


def is_english() -> bool:
    return (get_language() or "ja").startswith("en")


def localized(japanese, english=None):
    """``english`` on an English page when it is not empty, ``japanese`` otherwise."""
    return english if english and is_english() else japanese


# Machine interfaces have no language prefix in their addresses.
MACHINE_PREFIXES = ("/api/", "/open311/", "/open-data/", "/ws/")


def machine_language(request) -> str:
    """The language of a machine interface's answer: ``?lang=`` when it names a supported language, else the
    language cookie or Accept-Language (ApiLanguageMiddleware activates it; the page cache keys by it)."""
    from django.conf import settings
    from django.utils import translation

    requested = request.GET.get("lang")
    if requested in {code for code, _name in settings.LANGUAGES}:
        return requested
    return translation.get_language_from_request(request, check_path=False)
