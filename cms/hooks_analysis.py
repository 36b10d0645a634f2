"""Wagtail admin hooks for the opinion analysis (themes, opinion groups, summaries)."""
