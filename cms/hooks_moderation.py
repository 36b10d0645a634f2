"""Wagtail admin hooks that link staff to the moderation queue, audit log and dashboard."""
