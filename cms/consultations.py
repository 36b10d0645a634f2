"""The consultation provider that cms registers with the kernel's gateway (participation.core.consultations)."""

from __future__ import annotations

from django.conf import settings

from cms.models import ConsultationPage, is_public
from participation.core import freshness


class CmsConsultations:
    model = ConsultationPage

    def pages(self):
        return ConsultationPage.objects.all()

    def public_pages(self):
        return ConsultationPage.objects.live().public()

    def is_public(self, page):
        return is_public(page)

    def public_ids(self):
        return freshness.cached("cms:public-consultation-ids", [freshness.SITE],
                                lambda: list(self.public_pages().values_list("pk", flat=True)))

    def canonical_pages(self):
        return ConsultationPage.objects.filter(locale__language_code=settings.LANGUAGE_CODE)

    def titles(self, ids, language):
        queryset = ConsultationPage.objects.filter(locale__language_code=settings.LANGUAGE_CODE)
        if ids is not None:
            queryset = queryset.filter(pk__in=ids)
        pages = list(queryset.order_by("pk").values("pk", "title", "translation_key"))
        result = {page["pk"]: page["title"] for page in pages}
        if language != settings.LANGUAGE_CODE and pages:
            by_key = {page["translation_key"]: page["pk"] for page in pages}
            translated = ConsultationPage.objects.filter(translation_key__in=by_key, locale__language_code=language)
            for row in translated.values("translation_key", "title"):
                result[by_key[row["translation_key"]]] = row["title"]
        return result
