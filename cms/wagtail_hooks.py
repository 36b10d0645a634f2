"""Wagtail admin hooks. Each feature area keeps its hooks in its own module under cms/admin/, imported here."""

from cms.admin import analysis_hooks, staff_menu  # noqa: F401
