"""Following a consultation from its page; followers hear when a new phase starts (once)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from outreach import services
from outreach.models import ConsultationFollow
from participation.models import Notification


def test_follow_from_the_consultation_page(client, resident, open_consultation):
    page = client.get(open_consultation.url)
    assert page.status_code == 200 and "outreach/feeds/consultations" in page.content.decode()
    assert "follow-consultation" in page.content.decode()
    assert client.post(f"/outreach/consultations/{open_consultation.pk}/follow/").status_code == 302  # to login
    client.force_login(resident)
    assert "フォローする" in client.get(open_consultation.url).content.decode()
    client.post(f"/outreach/consultations/{open_consultation.pk}/follow/", {"follow": "1"})
    assert ConsultationFollow.objects.filter(user=resident, consultation_id=open_consultation.pk).exists()
    assert "フォロー中" in client.get(open_consultation.url).content.decode()
    client.post(f"/outreach/consultations/{open_consultation.pk}/follow/", {"follow": "0"})
    assert not ConsultationFollow.objects.exists()
    assert client.post("/outreach/consultations/999999/follow/").status_code == 404


def test_followers_hear_of_a_new_phase_once(resident, other_resident, open_consultation):
    services.consultation_follow(user=resident, consultation_id=open_consultation.pk)
    now = timezone.now()
    phase = open_consultation.phases.first()
    phase.starts_at = now - timedelta(seconds=30)
    phase.save()
    assert services.phases_announce_started(since=now - timedelta(minutes=1), now=now) == 1
    assert services.phases_announce_started(since=now - timedelta(minutes=1), now=now) == 0  # a second worker
    note = Notification.objects.get(verb=services.PHASE_VERB)
    assert note.recipient == resident and open_consultation.title[:20] in note.message
    assert not Notification.objects.filter(recipient=other_resident).exists()
    # a phase that started before the window is not news
    assert services.phases_announce_started(since=now, now=now + timedelta(minutes=1)) == 0
