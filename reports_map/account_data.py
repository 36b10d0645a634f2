"""A resident's own reports (with their photo files) for the account-data export."""

from __future__ import annotations

from participation.core.photo_files import photo_file_exists, photo_file_open
from reports_map.models import Report, ReportFollower


def export_user(user) -> tuple[dict, list[tuple[str, bytes]]]:
    reports = Report.objects.filter(author=user).select_related("category").prefetch_related("photos")
    files: list[tuple[str, bytes]] = []
    items = []
    for report in reports:
        photo_names = []
        for photo in report.photos.all():
            if photo_file_exists(photo.image):
                name = f"reports/{report.pk}/{photo.image.rsplit('/', 1)[-1]}"
                with photo_file_open(photo.image) as handle:
                    files.append((name, handle.read()))
                photo_names.append(name)
        items.append({
            "id": report.pk, "category": report.category.service_code, "description": report.description,
            "address": report.address, "latitude": report.latitude, "longitude": report.longitude,
            "status": report.status, "private": report.private, "show_name": report.show_name,
            "attributes": report.attributes, "created_at": report.created_at.isoformat(), "photos": photo_names,
        })
    followed = list(ReportFollower.objects.filter(user=user).values_list("report_id", flat=True))
    return {"reports": items, "followed_reports": followed}, files
