"""Wagtail admin hooks. Each feature area keeps its hooks in its own module, imported here."""

from cms import hooks_analysis, hooks_moderation  # noqa: F401
