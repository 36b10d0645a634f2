"""A resident's own reports (with their photo files) for the account-data export."""

from __future__ import annotations

from reports_map import storage
from reports_map.models import Report, ReportFollower


def export_user(user) -> tuple[dict, list[tuple[str, bytes]]]:
    reports = Report.objects.filter(author=user).select_related("category").prefetch_related("photos")
    files: list[tuple[str, bytes]] = []
    items = []
    for report in reports:
        photo_names = []
        for photo in report.photos.all():
            path = storage.file_path(photo.image)
            if path.exists():
                name = f"reports/{report.pk}/{path.name}"
                files.append((name, path.read_bytes()))
                photo_names.append(name)
        items.append({
            "id": report.pk, "category": report.category.service_code, "description": report.description,
            "address": report.address, "latitude": report.latitude, "longitude": report.longitude,
            "status": report.status, "private": report.private, "show_name": report.show_name,
            "attributes": report.attributes, "created_at": report.created_at.isoformat(), "photos": photo_names,
        })
    followed = list(ReportFollower.objects.filter(user=user).values_list("report_id", flat=True))
    return {"reports": items, "followed_reports": followed}, files
