"""Open data: public, visible, non-private reports without any personal data."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from participation.core.photo_files import photo_file_url
from participation.core.site import absolute_url
from reports_map.models import ReportPhoto
from reports_map.selectors import report_public_qs

FIELDS = {
    "id": _("Report number"),
    "created_at": _("When the report was filed (ISO 8601)"),
    "category": _("Open311 service code of the category"),
    "category_name": _("Category name (Japanese)"),
    "status": _("Status: open, acknowledged, in_progress, fixed, closed_*"),
    "latitude": _("Latitude (WGS 84)"),
    "longitude": _("Longitude (WGS 84)"),
    "fixed_at": _("When it was fixed (ISO 8601), if fixed"),
    "thumbnail_url": _("Public thumbnail of the first photo, if any"),
}


def rows():
    reports = report_public_qs().select_related("category").order_by("pk")
    thumbs: dict[int, str] = {}
    for report_id, thumbnail in (
        ReportPhoto.objects.visible().filter(report__in=reports, update__isnull=True, thumbnail__startswith="public/")
        .order_by("pk").values_list("report_id", "thumbnail")
    ):
        url = photo_file_url(thumbnail)
        thumbs.setdefault(report_id, url if "://" in url else absolute_url(url))
    for report in reports.iterator(chunk_size=1000):
        yield {
            "id": report.pk,
            "created_at": report.created_at.isoformat(),
            "category": report.category.service_code,
            "category_name": report.category.name_ja,
            "status": report.status,
            "latitude": round(report.latitude, 6),
            "longitude": round(report.longitude, 6),
            "fixed_at": report.fixed_at.isoformat() if report.fixed_at else "",
            "thumbnail_url": thumbs.get(report.pk, ""),
        }
