"""Background work of the outreach app (django-tasks: the database worker under `make run`, inline in tests).

``outreach_tick`` is the schedule: each run does what is due (announcements, quiet-hour deliveries,
digests) and queues its successor ``OUTREACH_TICK_SECONDS`` later, so no cron is needed. The first tick
is queued after ``migrate`` (which `make run` runs before starting the worker) and by
``manage.py outreach_schedule``.
"""

from __future__ import annotations

from django_tasks import task


@task()
def outreach_tick() -> dict:
    from outreach import services

    try:
        return services.tick()
    finally:
        services.schedule_ensure()


@task()
def dispatch_announcement(announcement_id: int) -> int:
    from outreach import services

    return services.announcement_dispatch(announcement_id=announcement_id)


@task()
def deliver_announcement_batch(announcement_id: int, user_ids: list[int]) -> dict:
    from outreach import services

    return services.announcement_deliver_batch(announcement_id=announcement_id, user_ids=user_ids)


@task()
def deliver_followup(notification_id: int) -> dict:
    from outreach import services

    return services.followup_deliver(notification_id=notification_id)


@task()
def area_alerts_report(report_id: int) -> int:
    from outreach import services

    return services.area_alerts_for_report(report_id=report_id)


@task()
def area_alerts_consultation(page_id: int) -> int:
    from outreach import services

    return services.area_alerts_for_consultation(page_id=page_id)
