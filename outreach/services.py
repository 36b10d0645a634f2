"""Writes of the outreach app: preferences, push subscriptions, area alerts, announcements, digests.

Every delivery is recorded in a row with a unique constraint that is inserted (or claimed) and committed
before anything leaves the machine, so parallel workers and restarted workers never send twice.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from collections.abc import Iterable
from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail, signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from outreach import conf, line, push
from outreach.models import (
    Announcement,
    AnnouncementDelivery,
    AreaAlertSent,
    AreaSubscription,
    Channel,
    ConsultationFollow,
    DigestSent,
    District,
    EmailMode,
    Preferences,
    PushSubscription,
    SchedulerState,
    Topic,
)
from outreach.selectors import announcement_audience, channel_filters, preferences_for
from participation.accounts.notifications import notification_send
from participation.core import freshness
from participation.core.site import absolute_url, site_url
from participation.models import Notification

logger = logging.getLogger(__name__)

MAX_PUSH_SUBSCRIPTIONS = 10
MAX_AREAS = 5
MAX_RADIUS_M = 5000
MIN_RADIUS_M = 100
PUSH_FAILURES_BEFORE_REMOVAL = 5
ANNOUNCEMENT_VERB = "outreach.announcement"
AREA_VERB = "outreach.area_alert"
DIGEST_HOUR = 7  # local time; the digest of a period is sent from this hour on the next day / Monday
UNSUBSCRIBE_SALT = "outreach.unsubscribe"
NEW_CONSULTATION_WINDOW = timedelta(days=2)


def _absolute(url: str) -> str:
    return absolute_url(url)


# --- preferences -----------------------------------------------------------------------------------


def preferences_update(*, user, via_site: bool, via_email: bool, via_push: bool, via_line: bool, followups: bool,
                       email_mode: str, topics: Iterable[Topic] = (), quiet_start: time | None = None,
                       quiet_end: time | None = None) -> Preferences:
    """Save the resident's choices. The kernel's one-mail-per-event switch follows the e-mail mode, so a
    resident who chose a digest (or no e-mail) stops getting single mails."""
    if email_mode not in EmailMode.values:
        raise ValidationError({"email_mode": [_("Choose how you want e-mail.")]})
    if (quiet_start is None) != (quiet_end is None):
        raise ValidationError({"quiet_end": [_("Give both the start and the end of your quiet hours, or neither.")]})
    if quiet_start is not None and quiet_start == quiet_end:
        raise ValidationError({"quiet_end": [_("Quiet hours must end at a different time than they start.")]})
    with transaction.atomic():
        prefs, _created = Preferences.objects.select_for_update().get_or_create(user=user)
        prefs.via_site, prefs.via_email, prefs.via_push, prefs.via_line = via_site, via_email, via_push, via_line
        prefs.followups, prefs.email_mode = followups, email_mode
        prefs.quiet_start, prefs.quiet_end = quiet_start, quiet_end
        prefs.updated_at = timezone.now()
        prefs.save()
        prefs.topics.set(list(topics))
        get_user_model().objects.filter(pk=user.pk).update(email_notifications=email_mode == EmailMode.IMMEDIATE)
        user.email_notifications = email_mode == EmailMode.IMMEDIATE
    return prefs


def in_quiet_hours(prefs: Preferences, now: datetime | None = None) -> bool:
    if prefs.quiet_start is None or prefs.quiet_end is None:
        return False
    local = timezone.localtime(now or timezone.now()).time()
    start, end = prefs.quiet_start, prefs.quiet_end
    return start <= local < end if start < end else (local >= start or local < end)


def quiet_hours_end(prefs: Preferences, now: datetime | None = None) -> datetime:
    """The next moment the resident's quiet hours end (local time)."""
    local = timezone.localtime(now or timezone.now())
    end = local.replace(hour=prefs.quiet_end.hour, minute=prefs.quiet_end.minute, second=0, microsecond=0)
    return end if end > local else end + timedelta(days=1)


def unsubscribe_token(user) -> str:
    return signing.dumps({"u": user.pk}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_user(token: str):
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return get_user_model().objects.filter(pk=data.get("u")).first()


def email_unsubscribe(*, user) -> None:
    """One-click unsubscribe (RFC 8058): no more digests and no more single e-mails."""
    with transaction.atomic():
        prefs, _created = Preferences.objects.select_for_update().get_or_create(user=user)
        prefs.email_mode = EmailMode.OFF
        prefs.via_email = False
        prefs.updated_at = timezone.now()
        prefs.save(update_fields=["email_mode", "via_email", "updated_at"])
        get_user_model().objects.filter(pk=user.pk).update(email_notifications=False)


# --- push subscriptions ------------------------------------------------------------------------------


def _b64url(value, *, length: int | None, field: str) -> str:
    text = str(value or "").strip()
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise ValidationError({field: [_("This push subscription is not valid.")]}) from None
    if not text or len(text) > 200 or (length is not None and len(raw) != length):
        raise ValidationError({field: [_("This push subscription is not valid.")]})
    return text


def push_subscribe(*, user, endpoint: str, p256dh: str, auth: str, user_agent: str = "") -> PushSubscription:
    """Store the browser's subscription after checking it (https, public host, real P-256 key)."""
    if not user.has_perm("outreach.manage_preferences"):
        raise PermissionDenied(_("Please log in to receive notifications."))
    try:
        push.validate_endpoint(endpoint)
    except ValidationError as error:
        raise ValidationError({"endpoint": error.messages}) from None
    key = _b64url(p256dh, length=65, field="p256dh")
    if not base64.urlsafe_b64decode(key + "=" * (-len(key) % 4)).startswith(b"\x04"):
        raise ValidationError({"p256dh": [_("This push subscription is not valid.")]})
    secret = _b64url(auth, length=16, field="auth")
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        existing = PushSubscription.objects.filter(endpoint=endpoint).first()
        if existing is None and PushSubscription.objects.filter(user=user).count() >= MAX_PUSH_SUBSCRIPTIONS:
            raise ValidationError({"endpoint": [_("You can receive push notifications on at most %(n)d browsers. "
                                                  "Turn them off on one you no longer use.") % {"n": MAX_PUSH_SUBSCRIPTIONS}]})
        subscription, _created = PushSubscription.objects.update_or_create(
            endpoint=endpoint,
            defaults={"user": user, "p256dh": key, "auth": secret, "user_agent": str(user_agent)[:200], "failures": 0},
        )
    return subscription


def push_unsubscribe(*, user, endpoint: str) -> int:
    deleted, _rows = PushSubscription.objects.filter(user=user, endpoint=str(endpoint)[:1000]).delete()
    return deleted


_vapid_cache: dict[str, object] = {}


def _vapid():
    from py_vapid import Vapid

    key = conf.vapid_private_key()
    if key not in _vapid_cache:
        _vapid_cache.clear()
        _vapid_cache[key] = Vapid.from_string(private_key=key)
    return _vapid_cache[key]


_vapid_headers: dict[str, tuple[float, dict]] = {}


def _vapid_headers_for(endpoint: str) -> dict:
    """VAPID headers for the push service's origin, signed once and reused for ten minutes (they are
    valid for twelve hours): signing per message was a third of the CPU time of a large announcement."""
    import time as clock
    from urllib.parse import urlsplit

    parts = urlsplit(endpoint)
    origin = f"{parts.scheme}://{parts.netloc}"
    key = f"{conf.vapid_private_key()}|{origin}"
    cached = _vapid_headers.get(key)
    now = clock.time()
    if cached is None or cached[0] < now:
        headers = _vapid().sign({"sub": conf.vapid_subject(), "aud": origin, "exp": int(now) + 12 * 3600})
        if len(_vapid_headers) > 100:
            _vapid_headers.clear()
        _vapid_headers[key] = cached = (now + 600, dict(headers))
    return cached[1]


def push_send(*, subscriptions: Iterable[PushSubscription], payload: dict, session=None, ttl: int = 86400) -> int:
    return len(push_send_detailed(subscriptions=subscriptions, payload=payload, session=session, ttl=ttl))


def push_send_detailed(*, subscriptions: Iterable[PushSubscription], payload: dict, session=None,
                       ttl: int = 86400) -> list[int]:
    """Send one payload to the given subscriptions; returns how many push services accepted it.

    404 / 410 from the push service mean the subscription expired: it is removed. Other failures count
    up and remove the subscription after PUSH_FAILURES_BEFORE_REMOVAL in a row."""
    from pywebpush import WebPushException, webpush

    if not push.vapid_configured():
        return []
    session = session or push.PushSession()
    data = json.dumps(payload, ensure_ascii=False)
    delivered: list[int] = []
    for sub in subscriptions:
        try:
            push.validate_endpoint(sub.endpoint, resolve=False)
            webpush(
                subscription_info=sub.as_subscription_info(), data=data, ttl=ttl, timeout=10,
                requests_session=session, headers={"Urgency": "normal", **_vapid_headers_for(sub.endpoint)},
            )
        except WebPushException as error:
            status = getattr(error.response, "status_code", None)
            if status in (404, 410):
                PushSubscription.objects.filter(pk=sub.pk).delete()
            else:
                _push_failed(sub)
            continue
        except Exception as error:  # refused address, redirect, network error, a broken key
            logger.info("push to subscription %s failed: %s", sub.pk, error)
            _push_failed(sub)
            continue
        delivered.append(sub.pk)
    if delivered:
        PushSubscription.objects.filter(pk__in=delivered).update(last_success_at=timezone.now(), failures=0)
    return delivered


def _push_failed(sub: PushSubscription) -> None:
    PushSubscription.objects.filter(pk=sub.pk).update(failures=F("failures") + 1)
    PushSubscription.objects.filter(pk=sub.pk, failures__gte=PUSH_FAILURES_BEFORE_REMOVAL).delete()


def push_to_user(*, user_id: int, title: str, body: str, url: str = "", tag: str = "", session=None) -> int:
    subs = list(PushSubscription.objects.filter(user_id=user_id))
    if not subs:
        return 0
    return push_send(subscriptions=subs, payload={"title": title[:120], "body": body[:300], "url": url or "/",
                                                  "tag": tag}, session=session)


# --- follow-ups: what the kernel notifies, also by push and LINE ---------------------------------------


def followup_deliver(*, notification_id: int, now: datetime | None = None) -> dict:
    """Push (and LINE) a notification the kernel created for a resident (report status changed, proposal
    answered, reply to a comment, area alert), as their preferences allow; never during quiet hours (the
    notification stays on the notifications page and in the digest)."""
    note = Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    result = {"push": 0, "line": 0}
    if note is None or note.verb == ANNOUNCEMENT_VERB:
        return result
    user = note.recipient
    if not user.is_active or user.blocked_at is not None:
        return result
    prefs = preferences_for(user)
    if not prefs.followups:
        return result
    if in_quiet_hours(prefs, now):
        _followup_later(note.pk, quiet_hours_end(prefs, now))
        return result
    title = str(settings.WAGTAIL_SITE_NAME)
    if prefs.via_push:
        result["push"] = push_to_user(user_id=user.pk, title=title, body=note.message, url=note.url,
                                      tag=f"n{note.pk}")
    if prefs.via_line and line.line_configured():
        uid = line.line_user_ids([user.pk]).get(user.pk)
        if uid:
            try:
                line.line_push(to=uid, text=f"{note.message}\n{_absolute(note.url)}".strip(), key=f"note:{note.pk}")
                result["line"] = 1
            except (line.LineError, OSError) as error:
                logger.info("LINE follow-up %s failed: %s", note.pk, error)
    return result


def _followup_later(notification_id: int, when: datetime) -> bool:
    """Queue the push for the end of quiet hours (database worker); where tasks run inline it is dropped:
    the notification stays on the notifications page and in the digest."""
    from outreach import tasks

    task = tasks.deliver_followup
    if not task.get_backend().supports_defer:
        return False
    task.using(run_after=when + timedelta(seconds=5)).enqueue(notification_id)
    return True


def followup_wanted(user_id: int) -> bool:
    """Cheap check before a task is queued: does the resident have a device or LINE to reach?"""
    return PushSubscription.objects.filter(user_id=user_id).exists() or (
        line.line_configured() and bool(line.line_user_ids([user_id]))
    )


# --- area alerts -------------------------------------------------------------------------------------


def area_subscribe(*, user, kind: str, district=None, latitude=None, longitude=None, radius_m=None,
                   reports: bool = True, consultations: bool = True) -> AreaSubscription:
    if not user.has_perm("outreach.manage_preferences"):
        raise PermissionDenied(_("Please log in to receive area alerts."))
    if not (reports or consultations):
        raise ValidationError({"reports": [_("Choose new reports, new consultations or both.")]})
    fields: dict = {"kind": kind, "reports": bool(reports), "consultations": bool(consultations)}
    if kind == AreaSubscription.Kind.DISTRICT:
        district_obj = None
        if isinstance(district, District):
            district_obj = district
        elif district not in (None, ""):
            district_obj = District.objects.filter(pk=district).first() if str(district).isdigit() else \
                District.objects.filter(name_ja=str(district)).first() or District.objects.filter(name_en=str(district)).first()
        if district_obj is None:
            raise ValidationError({"district": [_("Choose one of the city's districts.")]})
        fields["district"] = district_obj
    elif kind == AreaSubscription.Kind.CIRCLE:
        try:
            lat, lon, radius = float(latitude), float(longitude), int(radius_m)
        except (TypeError, ValueError):
            raise ValidationError({"latitude": [_("Choose a point on the map and a radius.")]}) from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValidationError({"latitude": [_("The location is not valid.")]})
        if not MIN_RADIUS_M <= radius <= MAX_RADIUS_M:
            raise ValidationError({"radius_m": [_("The radius must be between %(min)d and %(max)d metres.")
                                                % {"min": MIN_RADIUS_M, "max": MAX_RADIUS_M}]})
        fields.update(latitude=lat, longitude=lon, radius_m=radius)
    else:
        raise ValidationError({"kind": [_("Choose a district or a circle on the map.")]})
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        if AreaSubscription.objects.filter(user=user).count() >= MAX_AREAS:
            raise ValidationError({"kind": [_("You can watch at most %(n)d areas. Remove one first.") % {"n": MAX_AREAS}]})
        return AreaSubscription.objects.create(user=user, **fields)


def area_unsubscribe(*, user, area_id: int) -> int:
    deleted, _rows = AreaSubscription.objects.filter(user=user, pk=area_id).delete()
    return deleted


def _areas_containing(latitude: float, longitude: float, *, kind_field: str):
    """Area subscriptions (of the given kind of alert) whose district or circle contains the point."""
    from outreach.geo import bbox_around, contains, distance_m

    qs = AreaSubscription.objects.filter(**{kind_field: True}).select_related("district", "user")
    matched = []
    district_hits = {d.pk for d in District.objects.exclude(boundary={}) if contains(d.boundary, latitude, longitude)}
    if district_hits:
        matched += list(qs.filter(kind="district", district_id__in=district_hits))
    min_lat, min_lon, max_lat, max_lon = bbox_around(latitude, longitude, MAX_RADIUS_M)
    for area in qs.filter(kind="circle", latitude__range=(min_lat, max_lat), longitude__range=(min_lon, max_lon)):
        if distance_m(area.latitude, area.longitude, latitude, longitude) <= area.radius_m:
            matched.append(area)
    return matched


def _alert(*, areas, kind: str, object_id: int, message_factory, url: str, exclude_user_id: int | None) -> int:
    sent = 0
    for user in {a.user_id: a.user for a in areas}.values():
        if user.pk == exclude_user_id:
            continue
        try:
            with transaction.atomic():
                AreaAlertSent.objects.create(user=user, kind=kind, object_id=object_id)
        except IntegrityError:
            continue  # already alerted (another worker, or an earlier run)
        sent += notification_send(recipients=[user], verb=AREA_VERB, message_factory=message_factory, url=url)
    return sent


def area_alerts_for_report(*, report_id: int) -> int:
    """Alert residents watching the area of a new public report (not its author)."""
    from reports_map.models import Report

    report = Report.objects.visible().select_related("category").filter(pk=report_id, private=False).first()
    if report is None:
        return 0
    areas = _areas_containing(report.latitude, report.longitude, kind_field="reports")
    category = report.category

    def message():
        name = category.localized_name
        return _("New report in your area: %(category)s — %(text)s") % {"category": name,
                                                                          "text": report.description[:80]}

    return _alert(areas=areas, kind="report", object_id=report.pk, message_factory=message,
                  url=reverse("reports_map:detail", args=[report.pk]), exclude_user_id=report.author_id)


def area_alerts_for_consultation(*, page_id: int) -> int:
    """Alert residents watching the place of a newly published consultation (its map centre)."""
    from participation.core import consultations

    page = consultations.get(page_id)
    if page is None:
        return 0
    if page.first_published_at and page.first_published_at < timezone.now() - NEW_CONSULTATION_WINDOW:
        return 0  # an old consultation published again after an edit is not news
    areas = _areas_containing(page.map_latitude, page.map_longitude, kind_field="consultations")
    title = page.title

    def message():
        return _("New consultation in your area: %(title)s") % {"title": title[:120]}

    return _alert(areas=areas, kind="consultation", object_id=page.pk, message_factory=message, url=page.url or "/",
                  exclude_user_id=None)


# --- consultations residents follow: new phases ------------------------------------------------------

PHASE_VERB = "outreach.phase_started"


def consultation_follow(*, user, consultation_id) -> ConsultationFollow:
    from participation.core import consultations

    if not user.has_perm("outreach.manage_preferences"):
        raise PermissionDenied(_("Please log in to receive notifications."))
    page = consultations.get(consultation_id)
    if page is None:
        raise ValidationError({"consultation": [_("This consultation does not exist.")]})
    follow, _created = ConsultationFollow.objects.get_or_create(user=user, consultation_id=page.pk)
    freshness.bump(freshness.user(user.pk))  # the follow box on the consultation page reads it cached
    return follow


def consultation_unfollow(*, user, consultation_id) -> int:
    from participation.core import consultations

    page = consultations.get(consultation_id, public=False)
    deleted, _rows = ConsultationFollow.objects.filter(
        user=user, consultation_id=page.pk if page is not None else consultation_id).delete()
    freshness.bump(freshness.user(user.pk))
    return deleted


def phases_announce_started(*, since: datetime, now: datetime) -> int:
    """Notify followers of each consultation whose phase started in (since, now]; once per phase and
    resident (the unique alert row), whatever the number of ticks or workers."""
    from participation.core import consultations

    found = consultations.provider()
    if found is None:
        return 0
    sent = 0
    followed = set(ConsultationFollow.objects.values_list("consultation_id", flat=True).distinct())
    for page in found.canonical_pages().filter(pk__in=followed):
        for phase in page.phases.filter(starts_at__gt=since, starts_at__lte=now):
            followers = get_user_model().objects.filter(
                pk__in=ConsultationFollow.objects.filter(consultation_id=page.pk).values("user_id"))
            label, title = str(phase), page.title
            url = page.url or "/"
            for user in followers:
                try:
                    with transaction.atomic():
                        AreaAlertSent.objects.create(user=user, kind="phase", object_id=phase.pk)
                except IntegrityError:
                    continue
                sent += notification_send(
                    recipients=[user], verb=PHASE_VERB, url=url,
                    message_factory=lambda label=label, title=title: _("“%(title)s” is now in a new phase: %(phase)s")
                    % {"title": title[:100], "phase": label},
                )
    return sent


# --- announcements ---------------------------------------------------------------------------------


def announcement_clean(*, announcement: Announcement, now: datetime | None = None,
                       send_at: datetime | None = None) -> dict:
    """Check an announcement before it is scheduled; returns its preview (recipients per channel)."""
    from outreach.selectors import announcement_preview
    from participation.core.predicates import ROLES

    now = now or timezone.now()
    errors: dict[str, list] = {}
    if not announcement.title_ja.strip() or not announcement.body_ja.strip():
        errors["title_ja"] = [_("Write the announcement in Japanese (title and text).")]
    channels = [c for c in announcement.channels if c in Channel.values]
    if not channels or len(channels) != len(announcement.channels):
        errors["channels"] = [_("Choose at least one way to send the announcement.")]
    if any(lang not in dict(settings.LANGUAGES) for lang in announcement.languages):
        errors["languages"] = [_("Choose languages from the list.")]
    if any(role not in ROLES for role in announcement.roles):
        errors["roles"] = [_("Choose roles from the list.")]
    if send_at is not None and send_at < now - timedelta(minutes=1):
        errors["scheduled_at"] = [_("The sending time is in the past. Choose a later time, or send now.")]
    if announcement.link and not (announcement.link.startswith("/") and not announcement.link.startswith("//")
                                  or announcement.link.startswith("https://")):
        errors["link"] = [_("The link must be a page on this site (starting with /) or an https address.")]
    if errors:
        raise ValidationError(errors)
    preview = announcement_preview(announcement)
    if preview["total"] == 0:
        raise ValidationError({"__all__": [_("No resident matches this audience. Change the districts, "
                                             "interests, languages or roles.")]})
    return preview


def announcement_set_audience(*, announcement: Announcement, user, districts: Iterable = (), topics: Iterable = (),
                              languages: Iterable[str] = (), roles: Iterable[str] = (),
                              channels: Iterable[str] = ()) -> Announcement:
    """Set the audience from names (district names in either language, topic codes), e.g. from a command
    or an API; unknown names are refused before anything changes."""
    if not user.has_perm("outreach.send_announcement"):
        raise PermissionDenied(_("Only city staff can send announcements."))
    district_objs, unknown = [], []
    for name in districts:
        match = District.objects.filter(name_ja=str(name)).first() or District.objects.filter(name_en=str(name)).first()
        (district_objs.append(match) if match else unknown.append(str(name)))
    if unknown:
        raise ValidationError({"districts": [_("Unknown district: %(names)s") % {"names": "、".join(unknown)}]})
    topic_objs, unknown = [], []
    for slug in topics:
        match = Topic.objects.filter(slug=str(slug)).first()
        (topic_objs.append(match) if match else unknown.append(str(slug)))
    if unknown:
        raise ValidationError({"topics": [_("Unknown interest: %(names)s") % {"names": "、".join(unknown)}]})
    with transaction.atomic():
        announcement.languages, announcement.roles, announcement.channels = list(languages), list(roles), list(channels)
        announcement.save(update_fields=["languages", "roles", "channels"])
        announcement.districts.set(district_objs)
        announcement.topics.set(topic_objs)
    return announcement


def announcement_schedule(*, announcement: Announcement, user, send_at: datetime | None = None,
                          now: datetime | None = None) -> Announcement:
    """Schedule a draft: checked (audience, channels, time), then sent by the worker at ``send_at`` (now if
    empty) in batches. Nothing is sent from the web request."""
    if not user.has_perm("outreach.send_announcement"):
        raise PermissionDenied(_("Only city staff can send announcements."))
    now = now or timezone.now()
    with transaction.atomic():
        locked = Announcement.objects.select_for_update().get(pk=announcement.pk)
        if locked.status not in (Announcement.Status.DRAFT, Announcement.Status.SCHEDULED):
            raise ValidationError({"__all__": [_("This announcement was already sent.")]})
        announcement_clean(announcement=locked, now=now, send_at=send_at)
        locked.status = Announcement.Status.SCHEDULED
        locked.scheduled_at = max(send_at or now, now)
        locked.save(update_fields=["status", "scheduled_at"])
        when = locked.scheduled_at
        transaction.on_commit(lambda: _enqueue_dispatch(locked.pk, when, now))
    announcement.refresh_from_db()
    return announcement


def _enqueue_dispatch(announcement_id: int, when: datetime, now: datetime) -> None:
    from outreach import tasks

    task = tasks.dispatch_announcement
    if when > now:
        if not task.get_backend().supports_defer:
            return  # the periodic tick dispatches it when due
        task = task.using(run_after=when)
    task.enqueue(announcement_id)


def announcement_cancel(*, announcement: Announcement, user) -> Announcement:
    if not user.has_perm("outreach.send_announcement"):
        raise PermissionDenied(_("Only city staff can send announcements."))
    with transaction.atomic():
        locked = Announcement.objects.select_for_update().get(pk=announcement.pk)
        if locked.status != Announcement.Status.SCHEDULED:
            raise ValidationError({"__all__": [_("Only a scheduled announcement can be cancelled.")]})
        locked.status = Announcement.Status.DRAFT
        locked.save(update_fields=["status"])
    announcement.refresh_from_db()
    return announcement


def announcement_dispatch(*, announcement_id: int, now: datetime | None = None) -> int:
    """When due: freeze the audience and queue one delivery task per batch. Returns the number of batches.
    The status moves scheduled -> sending under a row lock, so two workers never dispatch twice."""
    from outreach import tasks

    now = now or timezone.now()
    size = conf.batch_size()
    with transaction.atomic():
        ann = Announcement.objects.select_for_update().filter(pk=announcement_id).first()
        if ann is None or ann.status != Announcement.Status.SCHEDULED or (ann.scheduled_at and ann.scheduled_at > now):
            return 0
        ids = list(announcement_audience(ann).order_by("pk").values_list("pk", flat=True))
        batches = [ids[i:i + size] for i in range(0, len(ids), size)]
        ann.status = Announcement.Status.SENDING
        ann.dispatched_at = now
        ann.recipients = len(ids)
        ann.batches_total = len(batches)
        ann.batches_done = 0
        ann.save(update_fields=["status", "dispatched_at", "recipients", "batches_total", "batches_done"])
        if not batches:
            ann.status, ann.finished_at = Announcement.Status.SENT, now
            ann.save(update_fields=["status", "finished_at"])
        for batch in batches:
            transaction.on_commit(lambda b=batch: tasks.deliver_announcement_batch.enqueue(announcement_id, b),
                                  robust=True)
    return len(batches)


def _message(ann: Announcement, language: str) -> tuple[str, str]:
    with translation.override(language):
        return ann.localized_title, ann.localized_body


def announcement_deliver_batch(*, announcement_id: int, user_ids: list[int], now: datetime | None = None) -> dict:
    """Create this batch's delivery rows (unique per resident and channel; a rerun creates none), claim the
    pending ones, send, record. Rows already claimed by a worker that died stay 'sending' and are never
    sent again: at most once per resident and channel."""
    now = now or timezone.now()
    ann = Announcement.objects.filter(pk=announcement_id).first()
    if ann is None or ann.status not in (Announcement.Status.SENDING, Announcement.Status.SENT):
        return {}
    audience = announcement_audience(ann).filter(pk__in=user_ids)
    filters = channel_filters()
    rows = []
    for channel in ann.channels:
        if channel in filters:
            for uid in audience.filter(filters[channel]).values_list("pk", flat=True).distinct():
                rows.append(AnnouncementDelivery(announcement=ann, user_id=uid, channel=channel, created_at=now))
    AnnouncementDelivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    sent = _deliver_claimed(ann, AnnouncementDelivery.objects.filter(announcement=ann, user_id__in=user_ids,
                                                                      status=AnnouncementDelivery.Status.PENDING), now)
    with transaction.atomic():
        Announcement.objects.filter(pk=ann.pk).update(batches_done=F("batches_done") + 1)
        Announcement.objects.filter(pk=ann.pk, status=Announcement.Status.SENDING,
                                    batches_done__gte=F("batches_total")).update(
            status=Announcement.Status.SENT, finished_at=timezone.now())
    return sent


def deliveries_resume_deferred(*, now: datetime | None = None) -> dict:
    """Push and LINE deliveries held back by quiet hours, now due."""
    now = now or timezone.now()
    totals: dict[str, int] = {}
    due = AnnouncementDelivery.objects.filter(status=AnnouncementDelivery.Status.DEFERRED, not_before__lte=now)
    for ann_id in due.values_list("announcement_id", flat=True).distinct():
        ann = Announcement.objects.get(pk=ann_id)
        for key, value in _deliver_claimed(ann, due.filter(announcement_id=ann_id), now).items():
            totals[key] = totals.get(key, 0) + value
    return totals


def _deliver_claimed(ann: Announcement, candidates, now: datetime) -> dict:
    """Claim (status -> sending, committed) then send. Push and LINE wait for the end of quiet hours."""
    user_model = get_user_model()
    with transaction.atomic():
        claimed = list(candidates.select_for_update(skip_locked=True).order_by("pk"))
        users = user_model.objects.in_bulk([d.user_id for d in claimed])
        prefs = {p.user_id: p for p in Preferences.objects.filter(user_id__in=users)}
        to_send, deferred = [], []
        for delivery in claimed:
            pref = prefs.get(delivery.user_id)
            if delivery.channel in (Channel.PUSH, Channel.LINE) and pref is not None and in_quiet_hours(pref, now):
                delivery.status, delivery.not_before = AnnouncementDelivery.Status.DEFERRED, quiet_hours_end(pref, now)
                deferred.append(delivery)
            else:
                delivery.status = AnnouncementDelivery.Status.SENDING
                to_send.append(delivery)
        AnnouncementDelivery.objects.bulk_update(claimed, ["status", "not_before"], batch_size=1000)
    results: dict[str, int] = {}
    by_channel: dict[str, list] = {}
    for delivery in to_send:
        by_channel.setdefault(delivery.channel, []).append(delivery)
    link = ann.link or reverse("outreach:announcement", args=[ann.pk])
    for channel, deliveries in by_channel.items():
        ok, failed = globals()[f"_send_{channel}"](ann, deliveries, users, link)
        AnnouncementDelivery.objects.filter(pk__in=[d.pk for d in ok]).update(
            status=AnnouncementDelivery.Status.SENT, sent_at=timezone.now())
        for delivery, error in failed:
            AnnouncementDelivery.objects.filter(pk=delivery.pk).update(
                status=AnnouncementDelivery.Status.FAILED, error=str(error)[:200])
        results[channel] = len(ok)
    return results


def _language(user) -> str:
    return user.preferred_language or settings.LANGUAGE_CODE


def _send_site(ann, deliveries, users, link):
    notes = []
    for d in deliveries:
        title, _body = _message(ann, _language(users[d.user_id]))
        notes.append(Notification(recipient_id=d.user_id, verb=ANNOUNCEMENT_VERB, message=title[:300], url=link))
    Notification.objects.bulk_create(notes, batch_size=1000)  # bulk: no per-row signals, so no follow-up push
    freshness.bump(freshness.NOTIFICATIONS)  # every user's cached unread count is read again
    return deliveries, []


def _send_email(ann, deliveries, users, link):
    messages, ok, failed = [], [], []
    for d in deliveries:
        user = users[d.user_id]
        title, body = _message(ann, _language(user))
        with translation.override(_language(user)):
            footer = _("You receive this because of your notification settings: %(url)s") % {
                "url": _absolute(reverse("outreach:settings"))}
        message = mail.EmailMessage(subject=title[:78], body=f"{body}\n\n{_absolute(link)}\n\n-- \n{footer}",
                                    to=[user.email], headers=_unsubscribe_headers(user))
        messages.append((d, message))
    try:
        with mail.get_connection() as connection:
            for d, message in messages:
                try:
                    message.connection = connection
                    message.send()
                    ok.append(d)
                except Exception as error:  # one bad address must not stop the batch
                    failed.append((d, error))
    except Exception as error:
        failed += [(d, error) for d, _m in messages if d not in ok and all(d is not f for f, _e in failed)]
    return ok, failed


def _send_push(ann, deliveries, users, link):
    """One payload per language, every subscription of the batch at once (one query, one update)."""
    subs_by_user: dict[int, list] = {}
    for sub in PushSubscription.objects.filter(user_id__in=[d.user_id for d in deliveries]):
        subs_by_user.setdefault(sub.user_id, []).append(sub)
    session = push.PushSession()
    reached: set[int] = set()
    by_language: dict[str, list] = {}
    for d in deliveries:
        by_language.setdefault(_language(users[d.user_id]), []).append(d)
    for language, group in by_language.items():
        title, body = _message(ann, language)
        subs = [sub for d in group for sub in subs_by_user.get(d.user_id, [])]
        owner = {sub.pk: sub.user_id for sub in subs}
        ok_ids = push_send_detailed(subscriptions=subs, session=session, payload={
            "title": title[:120], "body": body[:300], "url": link, "tag": f"a{ann.pk}"})
        reached.update(owner[pk] for pk in ok_ids)
    ok = [d for d in deliveries if d.user_id in reached]
    failed = [(d, "no push service accepted the message") for d in deliveries if d.user_id not in reached]
    return ok, failed


def _send_line(ann, deliveries, users, link):
    ok, failed = [], []
    uids = line.line_user_ids([d.user_id for d in deliveries])
    import requests

    session = requests.Session()
    session.trust_env = False
    for d in deliveries:
        title, body = _message(ann, _language(users[d.user_id]))
        if d.user_id not in uids:
            failed.append((d, "LINE not linked"))
            continue
        try:
            line.line_push(to=uids[d.user_id], text=f"{title}\n\n{body}\n{_absolute(link)}", key=f"delivery:{d.pk}",
                           session=session)
            ok.append(d)
        except (line.LineError, OSError) as error:
            failed.append((d, error))
    return ok, failed


# --- digests -----------------------------------------------------------------------------------------


def _unsubscribe_headers(user) -> dict[str, str]:
    url = _absolute(reverse("outreach_root:unsubscribe", args=[unsubscribe_token(user)]))
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def digest_period(frequency: str, now: datetime) -> tuple[datetime, datetime] | None:
    """The period whose digest is due at ``now`` (local time): yesterday for daily, last Monday-Sunday for
    weekly; None before DIGEST_HOUR (or on other days than Monday for weekly)."""
    local = timezone.localtime(now)
    if local.hour < DIGEST_HOUR:
        return None
    today = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if frequency == EmailMode.DAILY:
        return today - timedelta(days=1), today
    if frequency == EmailMode.WEEKLY:
        monday = today - timedelta(days=today.weekday())
        if today != monday:
            return None
        return monday - timedelta(days=7), monday
    return None


def digests_send_due(*, now: datetime | None = None, limit: int | None = None) -> int:
    """Send every due digest once: the (resident, frequency, period) row is inserted and committed before
    the mail goes, so other workers running the same schedule skip that resident."""
    now = now or timezone.now()
    sent = 0
    for frequency in (EmailMode.DAILY, EmailMode.WEEKLY):
        period = digest_period(frequency, now)
        if period is None:
            continue
        start, end = period
        done = DigestSent.objects.filter(frequency=frequency, period_start=start.date()).values("user_id")
        candidates = (
            get_user_model().objects.filter(is_active=True, blocked_at__isnull=True,
                                            outreach_preferences__email_mode=frequency)
            .exclude(email="").exclude(pk__in=done).order_by("pk")
        )
        for user in candidates.iterator(chunk_size=500):
            if digest_send(user=user, frequency=frequency, start=start, end=end):
                sent += 1
            if limit and sent >= limit:
                return sent
    return sent


def digest_send(*, user, frequency: str, start: datetime, end: datetime) -> bool:
    """One resident's digest for one period; False when another worker had it or nothing happened."""
    try:
        with transaction.atomic():
            log = DigestSent.objects.create(user=user, frequency=frequency, period_start=start.date())
    except IntegrityError:
        return False
    notes = list(Notification.objects.filter(recipient=user, created_at__gte=start, created_at__lt=end)
                 .order_by("created_at")[:100])
    if not notes:
        DigestSent.objects.filter(pk=log.pk).update(status="empty")
        return False
    language = _language(user)
    with translation.override(language):
        from django.template.loader import render_to_string

        context = {
            "user": user, "notes": notes, "frequency": frequency, "start": timezone.localtime(start),
            "end": timezone.localtime(end) - timedelta(seconds=1), "site_url": site_url(),
            "settings_url": _absolute(reverse("outreach:settings")),
            "unsubscribe_url": _absolute(reverse("outreach_root:unsubscribe", args=[unsubscribe_token(user)])),
        }
        subject = (_("Your daily digest") if frequency == EmailMode.DAILY else _("Your weekly digest")) + \
            f" | {settings.WAGTAIL_SITE_NAME}"
        body = render_to_string("outreach/email/digest.txt", context)
        html = render_to_string("outreach/email/digest.html", context)
    message = mail.EmailMultiAlternatives(subject=subject, body=body, to=[user.email],
                                          headers=_unsubscribe_headers(user))
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except Exception as error:
        logger.warning("digest for user %s failed: %s", user.pk, error)
        DigestSent.objects.filter(pk=log.pk).update(status="failed", items=len(notes))
        return False
    DigestSent.objects.filter(pk=log.pk).update(status="sent", items=len(notes))
    return True


# --- the schedule (no cron: a task that queues its successor) -------------------------------------------

TICK = "outreach"


def tick(*, now: datetime | None = None) -> dict:
    """What the schedule does each minute: due announcements, deferred deliveries, due digests.
    Two chains of ticks (two workers started it) fold into one: a tick that finds the previous one
    less than half an interval ago does nothing and queues no successor."""
    now = now or timezone.now()
    interval = conf.tick_seconds()
    with transaction.atomic():
        state, _created = SchedulerState.objects.get_or_create(name=TICK)
        state = SchedulerState.objects.select_for_update().get(pk=state.pk)
        if state.last_tick_at and state.last_tick_at > now - timedelta(seconds=interval / 2):
            return {"skipped": True}
        since = max(state.last_tick_at or now - timedelta(seconds=interval), now - timedelta(days=1))
        state.last_tick_at = now
        state.save(update_fields=["last_tick_at"])
    due = Announcement.objects.filter(status=Announcement.Status.SCHEDULED, scheduled_at__lte=now)
    dispatched = sum(announcement_dispatch(announcement_id=pk, now=now) for pk in due.values_list("pk", flat=True))
    resumed = deliveries_resume_deferred(now=now)
    digests = digests_send_due(now=now)
    phases = phases_announce_started(since=since, now=now)
    return {"batches": dispatched, "resumed": resumed, "digests": digests, "phases": phases}


def schedule_ensure(*, now: datetime | None = None) -> bool:
    """Queue the next tick unless one is already waiting (database task backend only)."""
    from outreach import tasks

    backend = tasks.outreach_tick.get_backend()
    if not backend.supports_defer:
        return False
    now = now or timezone.now()
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(task_path=tasks.outreach_tick.module_path, status="READY").exists()
    if waiting:
        return False
    tasks.outreach_tick.using(run_after=now + timedelta(seconds=conf.tick_seconds())).enqueue()
    return True
