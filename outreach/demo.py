"""Demo data for ``seed_demo``: districts with boundaries, topics, residents' preferences and areas, and
announcements (one sent city-wide, one draft for 北町 to try the admin). Idempotent."""

from __future__ import annotations

from datetime import time

from django.contrib.auth import get_user_model
from django.utils import timezone

from outreach.models import Announcement, AreaSubscription, Channel, District, EmailMode, Preferences, Topic

W, E, S, N = 139.5240, 139.5930, 35.6610, 35.7020
CW, CE, CS, CN = 139.5480, 139.5700, 35.6740, 35.6900


def _box(west, south, east, north) -> dict:
    return {"type": "Polygon", "coordinates": [[[west, south], [east, south], [east, north], [west, north],
                                                [west, south]]]}


DISTRICTS = [
    ("中央", "Chuo", _box(CW, CS, CE, CN)),
    ("北町", "Kitamachi", _box(W, CN, E, N)),
    ("南町", "Minamimachi", _box(W, S, E, CS)),
    ("東町", "Higashimachi", _box(CE, CS, E, CN)),
    ("西町", "Nishimachi", _box(W, CS, CW, CN)),
]
TOPICS = [
    ("kosodate", "子育て・教育", "Children and education"),
    ("bousai", "防災・安全", "Disaster prevention and safety"),
    ("douro", "道路・交通", "Roads and transport"),
    ("kouen", "公園・緑", "Parks and greenery"),
    ("fukushi", "福祉・健康", "Welfare and health"),
    ("event", "イベント", "Events"),
]


def seed_outreach(*, stdout, password=None, set_password=False, rng=None, **kwargs) -> None:
    for order, (ja, en, boundary) in enumerate(DISTRICTS):
        District.objects.update_or_create(name_ja=ja, defaults={"name_en": en, "boundary": boundary, "order": order})
    for order, (slug, ja, en) in enumerate(TOPICS):
        Topic.objects.update_or_create(slug=slug, defaults={"name_ja": ja, "name_en": en, "order": order})
    users = {u.username: u for u in get_user_model().objects.filter(username__startswith="resident")}
    topics = {t.slug: t for t in Topic.objects.all()}
    for i, (username, user) in enumerate(sorted(users.items())):
        prefs, created = Preferences.objects.get_or_create(user=user)
        if created:
            prefs.topics.set([topics[TOPICS[i % len(TOPICS)][0]], topics[TOPICS[(i + 2) % len(TOPICS)][0]]])
            if username == "resident3":
                prefs.email_mode = EmailMode.DAILY
            if username == "resident4":
                prefs.email_mode = EmailMode.WEEKLY
                prefs.quiet_start, prefs.quiet_end = time(22, 0), time(7, 0)
            prefs.save()
            user.email_notifications = prefs.email_mode == EmailMode.IMMEDIATE
            user.save(update_fields=["email_notifications"])
    north = District.objects.get(name_ja="北町")
    if "resident1" in users and not AreaSubscription.objects.filter(user=users["resident1"]).exists():
        AreaSubscription.objects.create(user=users["resident1"], kind="district", district=north)
    if "resident2" in users and not AreaSubscription.objects.filter(user=users["resident2"]).exists():
        AreaSubscription.objects.create(user=users["resident2"], kind="circle", latitude=35.6812, longitude=139.5600,
                                        radius_m=800)
    staff = get_user_model().objects.filter(username="staff").first()
    sent, created = Announcement.objects.get_or_create(
        title_ja="年末年始の窓口業務のお知らせ",
        defaults={
            "title_en": "City office hours over the New Year holidays",
            "body_ja": "12月29日から1月3日まで、市役所の窓口業務はお休みです。緊急の道路の損傷は、このサイトの地図から報告できます。",
            "body_en": "City office counters are closed from 29 December to 3 January. Urgent road damage can "
                       "still be reported on this site's map.",
            "channels": [Channel.SITE], "created_by": staff, "status": Announcement.Status.SCHEDULED,
            "scheduled_at": timezone.now(),
        },
    )
    if created:
        from outreach import services

        services.announcement_dispatch(announcement_id=sent.pk)
        from outreach.selectors import announcement_audience

        ids = list(announcement_audience(sent).values_list("pk", flat=True))
        services.announcement_deliver_batch(announcement_id=sent.pk, user_ids=ids)
        Announcement.objects.filter(pk=sent.pk).update(status=Announcement.Status.SENT, finished_at=timezone.now())
    draft, created = Announcement.objects.get_or_create(
        title_ja="北町の道路工事による通行止めのお知らせ",
        defaults={
            "title_en": "Road closure for works in Kitamachi",
            "body_ja": "来週月曜日から金曜日まで、北町2丁目の市道で舗装工事を行います。9時から17時まで通行止めになります。",
            "body_en": "From next Monday to Friday the city road in Kitamachi 2-chome is repaved; it is closed "
                       "from 9:00 to 17:00.",
            "channels": [Channel.SITE, Channel.EMAIL, Channel.PUSH, Channel.LINE], "created_by": staff,
        },
    )
    if created:
        draft.districts.set([north])
        draft.topics.set([topics["douro"]])
    stdout.write(f"outreach: {District.objects.count()} districts, {Topic.objects.count()} topics, "
                 f"{Announcement.objects.count()} announcements")
