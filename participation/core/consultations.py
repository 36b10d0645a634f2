"""The one gateway to consultations.

A consultation is a Wagtail page (``cms.ConsultationPage``), but the kernel and the feature apps never
import ``cms`` nor look the model up by name: ``cms`` registers a provider (``ConsultationProvider``) in its
``registration.register()``, and everybody asks this module.

One rule for language copies: a consultation is identified by its canonical page, the copy in the
default language (Japanese). Proposals, supports, reports and counts belong to that id. Any other
language copy's id resolves to the canonical page, everywhere (pages, API, websockets).
"""

from __future__ import annotations

from typing import Any, Protocol

from django.http import Http404

from participation.core.registry import registry


class ConsultationProvider(Protocol):
    """What cms provides. Querysets are of the consultation model; pages have ``.canonical``."""

    model: type

    def pages(self) -> Any:
        """Every consultation page, any language, live or not."""

    def public_pages(self) -> Any:
        """Live pages visible to the public (no view restriction), any language."""

    def canonical_pages(self) -> Any:
        """Pages in the default language (live or not)."""

    def titles(self, ids: list[int] | None, language: str) -> dict[int, str]:
        """{canonical id: title in ``language``, falling back to the default language}."""

    def is_public(self, page: Any) -> bool:
        """Whether this page (already loaded) is live and visible to the public, ideally without a query."""

    def public_ids(self) -> list[int]:
        """The ids of ``public_pages()``."""


def provider() -> ConsultationProvider | None:
    return registry.consultations


def register_provider(value: ConsultationProvider) -> None:
    registry.consultations = value


def model() -> type | None:
    """The consultation model, or None when no app provides consultations."""
    found = provider()
    return found.model if found is not None else None


def get(consultation_id: Any, *, public: bool = True):
    """The canonical page of the consultation with this id (any language copy's id), or None.

    ``public=True`` (residents' surfaces): only live pages without view restrictions.
    """
    found = provider()
    try:
        pk = int(consultation_id)
    except (TypeError, ValueError, OverflowError):
        return None
    if found is None or not -(2**63) < pk < 2**63:
        return None
    from participation.core import freshness

    if public and freshness.enabled():
        # One query: whether the page is public is answered from the cached view restrictions.
        page = found.pages().filter(pk=pk).first()
        if page is None or not found.is_public(page):
            return None
        canonical = page.canonical
        return canonical if canonical.pk == page.pk or found.is_public(canonical) else None
    queryset = found.public_pages() if public else found.pages()
    page = queryset.filter(pk=pk).first()
    if page is None:
        return None
    canonical = page.canonical
    if public and canonical.pk != page.pk and not found.public_pages().filter(pk=canonical.pk).exists():
        return None
    return canonical


def is_public(page: Any) -> bool:
    """Whether a consultation page someone already holds is live and without view restrictions."""
    found = provider()
    return found is not None and page is not None and found.is_public(page)


def public_ids() -> list[int]:
    """Ids of every live page without view restrictions (any language), kept a short while under the site's
    stamp (participation/core/freshness.py: publishing and restrictions bump it)."""
    found = provider()
    return found.public_ids() if found is not None else []


def get_or_404(consultation_id: Any, *, public: bool = True):
    page = get(consultation_id, public=public)
    if page is None:
        raise Http404("No such consultation")
    return page


def canonical_id(consultation_id: Any) -> int | None:
    """The canonical id of any consultation page (live or not), None when there is none."""
    page = get(consultation_id, public=False)
    return page.pk if page is not None else None


def canonical_pages():
    """Default-language consultation pages (an empty list when no app provides consultations)."""
    found = provider()
    return found.canonical_pages() if found is not None else []


def titles(ids: list[int] | None = None, language: str | None = None) -> dict[int, str]:
    """{canonical id: title} in ``language`` (the active language by default)."""
    from django.conf import settings
    from django.utils import translation

    found = provider()
    if found is None:
        return {}
    return found.titles(ids, language or translation.get_language() or settings.LANGUAGE_CODE)


def counts_many(consultation_ids: list[int]) -> dict[int, dict[str, int]]:
    """{id: {name: count}} merged from every app that registered per-consultation counts."""
    result: dict[int, dict[str, int]] = {pk: {} for pk in consultation_ids}
    for source in registry.consultation_counts.values():
        for pk, counts in source(consultation_ids).items():
            result.setdefault(pk, {}).update(counts)
    return result
