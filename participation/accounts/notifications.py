"""Services for in-app notifications and the e-mail that goes with them."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation

from participation.core import freshness
from participation.core.events import publish
from participation.core.site import absolute_url
from participation.models import Notification, User

NOTIFICATION_SENT = "participation.notification_sent"


def notification_send(*, recipients: Iterable[User], verb: str, message_factory, url: str = "",
                      exclude: User | None = None, email_note: str = "") -> int:
    """Notify each active recipient in their own language; e-mail after commit when they allow it.

    ``message_factory`` is called with the recipient's language active and returns the text.
    ``email_note`` (the city's public note, as typed) is quoted in full in the e-mail.
    """
    sent = 0
    for user in {u.pk: u for u in recipients}.values():
        if not user.is_active or user.is_blocked or (exclude is not None and user.pk == exclude.pk):
            continue
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            message = str(message_factory())[:300]
        notification = Notification.objects.create(recipient=user, verb=verb, message=message, url=url)
        # Other channels (web push, LINE) subscribe to this event; it is delivered after commit.
        publish(NOTIFICATION_SENT, notification_id=notification.pk, user_id=user.pk, verb=verb)
        if user.email_notifications and user.email:
            body = "\n\n".join(part for part in (message, email_note.strip(), absolute_url(url)) if part)
            transaction.on_commit(
                lambda m=message, e=user.email, body=body: send_mail(
                    subject=m[:78], message=body, from_email=None, recipient_list=[e], fail_silently=True
                )
            )
        sent += 1
    return sent


def notifications_mark_read(*, user: User) -> int:
    freshness.bump(freshness.user(user.pk))  # a bulk update sends no signal
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def notifications_unread_count(*, user: User) -> int:
    """Kept under the user's stamp (bumped after commit by every notification written or read)."""
    if not user.is_authenticated:
        return 0
    return freshness.cached(
        f"unread:{user.pk}", (freshness.user(user.pk), freshness.NOTIFICATIONS),
        lambda: Notification.objects.filter(recipient=user, read_at__isnull=True).count(),
    )
