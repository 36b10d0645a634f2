"""What the outreach app plugs into the kernel, called from OutreachConfig.ready().

It listens to events other apps already publish and to the kernel's notifications, so no other app
knows it exists: a new report or consultation -> area alerts; any notification the kernel creates for a
resident (report status changed, proposal answered, reply) -> push and LINE as the resident chose.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from participation.core.events import subscribe
from participation.core.registry import AccountDataSpec, NavItem, registry

logger = logging.getLogger(__name__)


def on_report_created(event_name: str, payload: dict) -> None:
    from outreach import tasks

    if payload.get("report_id"):
        tasks.area_alerts_report.enqueue(int(payload["report_id"]))


def on_notification_sent(event_name: str, payload: dict) -> None:
    """The kernel notified a resident (event published after commit): queue its push / LINE copy."""
    from outreach import tasks
    from outreach.services import ANNOUNCEMENT_VERB, followup_wanted

    if payload.get("verb") == ANNOUNCEMENT_VERB:
        return
    if followup_wanted(payload["user_id"]):
        tasks.deliver_followup.enqueue(payload["notification_id"])


def on_page_published(sender, instance, revision=None, **kwargs) -> None:
    """A consultation went live for the first time: area alerts (once per page, AreaAlertSent is unique)."""
    from participation.core import consultations

    model = consultations.model()
    page = instance.specific if hasattr(instance, "specific") else instance
    if model is None or not isinstance(page, model) or page.pk != page.canonical.pk:
        return

    def queue(page_id=page.pk):
        from outreach import tasks

        tasks.area_alerts_consultation.enqueue(page_id)

    transaction.on_commit(queue, robust=True)


def on_migrate(sender, **kwargs) -> None:
    """`make run` migrates before it starts the worker: queue the first tick of the schedule."""
    if getattr(sender, "name", "") != "outreach":
        return
    from outreach.services import schedule_ensure

    try:
        schedule_ensure()
    except Exception as error:  # the task table may not exist yet in a partial migration
        logger.info("outreach schedule not started after migrate: %s", error)


def account_export(user):
    from outreach.models import AreaSubscription, ConsultationFollow, Preferences, PushSubscription

    prefs = Preferences.objects.filter(user=user).first()
    data = {
        "preferences": None if prefs is None else {
            "site": prefs.via_site, "email": prefs.via_email, "push": prefs.via_push, "line": prefs.via_line,
            "followups": prefs.followups, "email_mode": prefs.email_mode,
            "topics": list(prefs.topics.values_list("slug", flat=True)),
            "quiet_start": prefs.quiet_start.isoformat() if prefs.quiet_start else None,
            "quiet_end": prefs.quiet_end.isoformat() if prefs.quiet_end else None,
        },
        "push_devices": [{"user_agent": s.user_agent, "created_at": s.created_at.isoformat()}
                         for s in PushSubscription.objects.filter(user=user)],
        "areas": [{"kind": a.kind, "district": a.district.name_ja if a.district else None, "latitude": a.latitude,
                   "longitude": a.longitude, "radius_m": a.radius_m}
                  for a in AreaSubscription.objects.filter(user=user).select_related("district")],
        "consultation_follows": [{"consultation_id": f.consultation_id, "created_at": f.created_at.isoformat()}
                                 for f in ConsultationFollow.objects.filter(user=user).order_by("pk")],
    }
    return data, []


def account_anonymise(user) -> None:
    from outreach.models import AreaSubscription, ConsultationFollow, Preferences, PushSubscription

    ConsultationFollow.objects.filter(user=user).delete()
    PushSubscription.objects.filter(user=user).delete()
    AreaSubscription.objects.filter(user=user).delete()
    Preferences.objects.filter(user=user).delete()


def register() -> None:
    from wagtail.signals import page_published

    from outreach import demo
    from participation.accounts.notifications import NOTIFICATION_SENT

    registry.add_urls("outreach/", "outreach.urls", translated=True)
    registry.add_urls("", "outreach.root_urls", translated=False)
    registry.add_nav_item(NavItem("outreach:announcements", _("Announcements"), order=40))
    registry.add_nav_item(NavItem("outreach:settings", _("Notification settings"), order=90,
                                  permission="outreach.manage_preferences"))
    registry.add_demo_seeder("outreach", demo.seed_outreach, order=60)
    from outreach.views import consultation_section

    registry.add_consultation_section(consultation_section, order=5)
    registry.add("account_data", "outreach", AccountDataSpec(export=account_export, anonymise=account_anonymise))
    subscribe("reports_map.report_created", on_report_created)
    subscribe(NOTIFICATION_SENT, on_notification_sent)
    page_published.connect(on_page_published, dispatch_uid="outreach_consultation_alerts")
    post_migrate.connect(on_migrate, dispatch_uid="outreach_schedule")
