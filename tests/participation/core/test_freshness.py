"""Cached reads keyed by version stamps (participation/core/freshness.py): each write that changes a cached
value shows on the very next request, and again after its transaction commits (issue 17, cheaper pages)."""

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import reverse
from wagtail.models import PageViewRestriction

from participation.accounts.notifications import notification_send, notifications_mark_read
from participation.core import freshness
from participation.core.predicates import MODERATOR
from participation.moderation import services as moderation
from proposals import services
from tests.proposals.factories import make_comment, make_proposal

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def html(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_cached_value_is_read_again_after_its_scope_is_bumped():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert freshness.cached("t", ["s"], compute) == 1
    assert freshness.cached("t", ["s"], compute) == 1  # from the cache
    freshness.bump("s")
    assert freshness.cached("t", ["s"], compute) == 2
    freshness.bump("other")
    assert freshness.cached("t", ["s"], compute) == 2


def test_a_bump_inside_a_transaction_happens_again_after_commit(django_capture_on_commit_callbacks):
    """A reader that cached the old committed value between the write and its commit misses afterwards."""
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        freshness.bump("s")
        during = freshness.stamp("s")  # a concurrent reader's stamp, before the commit
    assert len(callbacks) == 1
    assert freshness.stamp("s") != during


def test_off_without_a_shared_cache(settings):
    settings.FRESHNESS_CACHE = False
    calls = []
    freshness.cached("t", ["s"], lambda: calls.append(1))
    freshness.cached("t", ["s"], lambda: calls.append(1))
    assert len(calls) == 2


def test_cache_down_reads_the_database(monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get_many", broken)
    assert freshness.cached("t", ["s"], lambda: 7) == 7


def test_role_change_shows_at_once(open_consultation, resident):
    client = signed_in(resident)
    assert reverse("moderation:queue") not in html(client, open_consultation.url)
    resident.groups.add(Group.objects.get(name=MODERATOR))
    assert reverse("moderation:queue") in html(client, open_consultation.url)
    resident.groups.remove(Group.objects.get(name=MODERATOR))
    assert reverse("moderation:queue") not in html(client, open_consultation.url)
    Group.objects.get(name=MODERATOR).user_set.add(resident)  # from the group's side
    assert reverse("moderation:queue") in html(client, open_consultation.url)


def test_unread_notifications_count_follows_sending_and_reading(open_consultation, resident):
    client = signed_in(resident)
    assert 'class="badge"' not in html(client, open_consultation.url)
    notification_send(recipients=[resident], verb="test", message_factory=lambda: "お知らせ")
    assert 'class="badge"' in html(client, open_consultation.url)
    notifications_mark_read(user=resident)
    assert 'class="badge"' not in html(client, open_consultation.url)


def left(n: int) -> str:
    return f"この意見募集であと{n}件賛同できます。"


def total(name: str, n: int) -> str:
    return f'data-live-total="{name}">{n}<'


def test_supports_left_and_counts_follow_support_and_unsupport(open_consultation, resident, other_resident):
    proposal = make_proposal(open_consultation, other_resident)
    second = make_proposal(open_consultation, other_resident, title="二つ目")  # its page offers a support
    client = signed_in(resident)
    page = html(client, open_consultation.url)
    assert left(10) in page and total("supports", 0) in page
    assert left(10) in html(client, second.get_absolute_url())
    services.support_add(proposal=proposal, user=resident)
    page = html(client, open_consultation.url)
    assert left(9) in page and total("supports", 1) in page
    assert left(9) in html(client, second.get_absolute_url())
    assert total("supports", 1) in html(Client(), open_consultation.url)  # anonymous readers too
    services.support_remove(proposal=proposal, user=resident)
    assert left(10) in html(client, second.get_absolute_url())
    assert total("supports", 0) in html(client, open_consultation.url)


def test_new_comment_changes_the_cached_number_of_comment_pages(open_consultation, resident, other_resident):
    from proposals.selectors import COMMENT_PAGE_SIZE

    proposal = make_proposal(open_consultation, resident)
    for _ in range(COMMENT_PAGE_SIZE):
        make_comment(proposal, other_resident)
    client = Client()
    assert 'rel="next"' not in html(client, proposal.get_absolute_url())  # one page of comments, cached
    make_comment(proposal, other_resident)
    assert 'rel="next"' in html(client, proposal.get_absolute_url())


def test_hidden_comment_leaves_the_cached_number_of_comment_pages(open_consultation, resident, other_resident,
                                                                    moderator):
    from proposals.selectors import COMMENT_PAGE_SIZE

    proposal = make_proposal(open_consultation, resident)
    comments = [make_comment(proposal, other_resident) for _ in range(COMMENT_PAGE_SIZE + 1)]
    client = Client()
    assert 'rel="next"' in html(client, proposal.get_absolute_url())
    moderation.item_hide(actor=moderator, kind="comment", object_id=comments[-1].pk, reason="不適切")
    assert 'rel="next"' not in html(client, proposal.get_absolute_url())


def test_phase_edit_shows_at_once(open_consultation):
    client = Client()
    assert "phase-proposals" in html(client, open_consultation.url)
    phase = open_consultation.current_phase()
    phase.kind = "support"
    phase.save()
    page = html(client, open_consultation.url)
    assert "phase-support" in page and "phase-proposals" not in page.split('class="phases"')[0]


def test_hidden_proposal_leaves_the_list_and_the_counts_at_once(open_consultation, resident, moderator):
    proposal = make_proposal(open_consultation, resident, title="隠される提案")
    client = Client()
    page = html(client, open_consultation.url)
    assert "隠される提案" in page and total("proposals", 1) in page
    moderation.item_hide(actor=moderator, kind="proposal", object_id=proposal.pk, reason="不適切")
    page = html(client, open_consultation.url)
    assert "隠される提案" not in page and total("proposals", 0) in page
    moderation.item_unhide(actor=moderator, kind="proposal", object_id=proposal.pk)
    page = html(client, open_consultation.url)
    assert "隠される提案" in page and total("proposals", 1) in page


def test_view_restriction_applies_at_once(open_consultation):
    client = Client()
    assert client.get(open_consultation.url).status_code == 200
    restriction = PageViewRestriction.objects.create(page=open_consultation, restriction_type="login")
    assert client.get(open_consultation.url).status_code == 302  # to the login page
    from participation.core import consultations

    assert not consultations.is_public(open_consultation)
    assert open_consultation.pk not in consultations.public_ids()
    restriction.delete()
    assert client.get(open_consultation.url).status_code == 200
    assert consultations.is_public(open_consultation) and open_consultation.pk in consultations.public_ids()


def test_unpublished_consultation_is_not_public_at_once(open_consultation):
    from participation.core import consultations

    assert open_consultation.pk in consultations.public_ids()
    open_consultation.unpublish()
    assert open_consultation.pk not in consultations.public_ids()


def test_blocked_author_leaves_the_counts_at_once(open_consultation, resident, moderator):
    make_proposal(open_consultation, resident, title="ブロックされる人の提案")
    client = Client()
    assert total("proposals", 1) in html(client, open_consultation.url)
    moderation.user_block(actor=moderator, user_id=resident.pk, reason="荒らし")
    page = html(client, open_consultation.url)
    assert total("proposals", 0) in page and "ブロックされる人の提案" not in page


def test_follow_shows_at_once(open_consultation, resident):
    from outreach import services as outreach

    client = signed_in(resident)
    assert "フォロー中" not in html(client, open_consultation.url)
    outreach.consultation_follow(user=resident, consultation_id=open_consultation.pk)
    assert "フォロー中" in html(client, open_consultation.url)
    outreach.consultation_unfollow(user=resident, consultation_id=open_consultation.pk)
    assert "フォロー中" not in html(client, open_consultation.url)


def test_group_deleted_leaves_every_member_at_once(open_consultation, resident):
    group = Group.objects.create(name="temporary")
    resident.groups.add(Group.objects.get(name=MODERATOR))
    client = signed_in(resident)
    assert reverse("moderation:queue") in html(client, open_consultation.url)
    Group.objects.get(name=MODERATOR).delete()
    assert reverse("moderation:queue") not in html(client, open_consultation.url)
    group.delete()


def test_sessions_come_from_the_database_when_the_cache_is_down(resident, monkeypatch):
    from participation.accounts.sessions import SessionStore

    store = SessionStore()
    store["who"] = resident.pk
    store.save()

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    for name in ("get", "set", "delete", "has_key"):
        monkeypatch.setattr(store._cache, name, broken)
    again = SessionStore(session_key=store.session_key)
    monkeypatch.setattr(again._cache, "get", broken)
    monkeypatch.setattr(again._cache, "set", broken)
    assert again.load()["who"] == resident.pk
    store.delete()
    assert not SessionStore(session_key=store.session_key).load()
