"""Reads: preferences with defaults, audiences of announcements, who can be reached by which channel."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet

from outreach import line
from outreach.models import Announcement, AnnouncementDelivery, AreaSubscription, Channel, District, Preferences


def preferences_for(user) -> Preferences:
    """The resident's preferences, or an unsaved row with the defaults."""
    prefs = Preferences.objects.filter(user=user).first()
    return prefs if prefs is not None else Preferences(user=user)


def residents() -> QuerySet:
    """Accounts that may receive anything: active and not blocked."""
    return get_user_model().objects.filter(is_active=True, blocked_at__isnull=True)


def _pref(field: str) -> Q:
    """The preference is on (a resident without a preferences row has every default, all True)."""
    return Q(outreach_preferences__isnull=True) | Q(**{f"outreach_preferences__{field}": True})


def channel_filters() -> dict[str, Q]:
    """Per channel, the condition on a user row for being reachable by it and wanting it."""
    from outreach.models import LineBlocked

    line_ok = (
        Q(socialaccount__provider="line") & ~Q(socialaccount__uid__in=LineBlocked.objects.values("line_user_id"))
        if line.line_configured() else Q(pk__in=[])
    )
    return {
        Channel.SITE: _pref("via_site"),
        Channel.EMAIL: _pref("via_email") & ~Q(email="") & ~Q(outreach_preferences__email_mode="off"),
        Channel.PUSH: _pref("via_push") & Q(push_subscriptions__isnull=False),
        Channel.LINE: _pref("via_line") & line_ok,
    }


def district_names(districts) -> list[str]:
    """Both names of each district: a resident's profile holds the name as they typed it (Japanese or English)."""
    names: list[str] = []
    for d in districts:
        names += [d.name_ja] + ([d.name_en] if d.name_en else [])
    return names


def announcement_audience(announcement: Announcement) -> QuerySet:
    """Residents the announcement is aimed at (district, interests, language and role), one row each."""
    qs = residents()
    if announcement.pk:
        districts = list(announcement.districts.all())
        if districts:
            qs = qs.filter(district__in=district_names(districts))
        topic_ids = list(announcement.topics.values_list("pk", flat=True))
        if topic_ids:
            qs = qs.filter(pk__in=Preferences.objects.filter(topics__in=topic_ids).values("user_id"))
    if announcement.languages:
        qs = qs.filter(preferred_language__in=announcement.languages)
    if announcement.roles:
        qs = qs.filter(groups__name__in=announcement.roles)
    return qs.distinct()


def announcement_preview(announcement: Announcement) -> dict:
    """How many residents match, and how many of them each chosen channel reaches."""
    audience = announcement_audience(announcement)
    filters = channel_filters()
    ids = audience.values("pk")
    per_channel = {
        channel: get_user_model().objects.filter(pk__in=ids).filter(filters[channel]).distinct().count()
        for channel in announcement.channels if channel in filters
    }
    return {"total": audience.count(), "channels": per_channel}


def announcement_counts(announcement: Announcement) -> list[dict]:
    """Delivery counts per channel and status, for staff after sending."""
    rows = (
        AnnouncementDelivery.objects.filter(announcement=announcement)
        .values("channel").annotate(
            sent=Count("pk", filter=Q(status="sent")),
            failed=Count("pk", filter=Q(status="failed")),
            waiting=Count("pk", filter=Q(status__in=["pending", "sending", "deferred"])),
            skipped=Count("pk", filter=Q(status="skipped")),
        ).order_by("channel")
    )
    labels = dict(Channel.choices)
    return [{**row, "label": labels.get(row["channel"], row["channel"])} for row in rows]


def public_announcements() -> QuerySet:
    """Sent, city-wide announcements (no audience restriction): the public page and the Atom feed."""
    return (
        Announcement.objects.filter(status=Announcement.Status.SENT, languages=[], roles=[])
        .annotate(n_districts=Count("districts", distinct=True), n_topics=Count("topics", distinct=True))
        .filter(n_districts=0, n_topics=0).order_by("-finished_at", "-pk")
    )


def areas_of(user) -> QuerySet:
    return AreaSubscription.objects.filter(user=user).select_related("district")


def districts() -> QuerySet:
    return District.objects.all()


def district_at(latitude: float, longitude: float) -> District | None:
    from outreach.geo import contains

    for district in District.objects.exclude(boundary={}):
        if contains(district.boundary, latitude, longitude):
            return district
    return None
