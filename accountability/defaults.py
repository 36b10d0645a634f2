"""The default status list and departments; the data migration and the demo seeder share them."""

from __future__ import annotations

DEFAULT_STATUSES = [
    # key, Japanese, English, default progress
    ("planning", "検討中", "Under consideration", 0),
    ("budgeted", "予算化", "Budgeted", 20),
    ("in_progress", "実施中", "In progress", 50),
    ("done", "完了", "Completed", 100),
    ("not_pursued", "見送り", "Not pursued", 0),
]

DEFAULT_DEPARTMENTS = [
    ("parks", "公園緑地課", "Parks and Green Spaces Division"),
    ("transport", "交通政策課", "Transport Policy Division"),
    ("children", "子ども育成課", "Children and Families Division"),
    ("roads", "道路管理課", "Road Management Division"),
]


def ensure_defaults(status_model, department_model) -> None:
    """Create the default statuses and departments that are missing (existing ones are left as staff set them)."""
    for order, (key, name, name_en, progress) in enumerate(DEFAULT_STATUSES):
        status_model.objects.get_or_create(key=key, defaults={"name": name, "name_en": name_en,
                                                               "default_progress": progress, "order": order * 10})
    for slug, name, name_en in DEFAULT_DEPARTMENTS:
        department_model.objects.get_or_create(slug=slug, defaults={"name": name, "name_en": name_en})
