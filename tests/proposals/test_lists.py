"""The consultation totals (ConsultationTally) stay equal to COUNT(*) through every write path,
and filtered lists count matches only up to a bound, saying so."""

from __future__ import annotations

import pytest
from django.test import Client

from participation.moderation import services as moderation
from proposals import selectors, services, tally
from proposals.models import ConsultationTally, Proposal
from tests.proposals.factories import make_comment, make_proposal


def live_counts(consultation_id: int) -> dict:
    """What the page would show if it counted every row."""
    from django.db.models import Count, Sum

    totals = Proposal.objects.visible().filter(consultation_id=consultation_id).aggregate(
        proposals=Count("pk"), comments=Sum("comment_count"), supports=Sum("support_count"))
    return {k: v or 0 for k, v in totals.items()}


def shown(consultation_id: int) -> dict:
    counts = selectors.consultation_counts(consultation_id=consultation_id)
    return {k: counts[k] for k in ("proposals", "comments", "supports")}


def test_totals_follow_every_change(open_consultation, resident, other_resident, moderator, user_factory):
    cid = open_consultation.pk
    writer = user_factory("writer")
    a = make_proposal(open_consultation, resident)
    b = make_proposal(open_consultation, writer, title="バスを増やして")
    c1 = make_comment(a, other_resident)
    make_comment(b, resident)
    services.support_add(proposal=a, user=other_resident)
    services.support_add(proposal=b, user=other_resident)
    services.support_add(proposal=b, user=resident)
    assert shown(cid) == live_counts(cid) == {"proposals": 2, "comments": 2, "supports": 3}

    services.support_remove(proposal=b, user=resident)
    services.comment_delete(comment=c1, user=other_resident)
    assert shown(cid) == live_counts(cid) == {"proposals": 2, "comments": 1, "supports": 2}

    # Moderation: hiding a proposal, hiding a comment, blocking an author, and back.
    moderation.item_hide(actor=moderator, kind="proposal", object_id=a.pk, reason="spam")
    assert shown(cid) == live_counts(cid) == {"proposals": 1, "comments": 1, "supports": 1}
    # A support that raced the hide reads the hidden state after its own counter UPDATE: not counted.
    before = ConsultationTally.objects.get(pk=cid).supports
    tally.tally_apply_for_proposal(a.pk, cid, supports=1)
    assert ConsultationTally.objects.get(pk=cid).supports == before
    moderation.item_unhide(actor=moderator, kind="proposal", object_id=a.pk)
    assert shown(cid) == live_counts(cid)
    moderation.user_block(actor=moderator, user_id=writer.pk, reason="spam")
    assert shown(cid) == live_counts(cid) and shown(cid)["proposals"] == 1
    moderation.user_unblock(actor=moderator, user_id=writer.pk)
    assert shown(cid) == live_counts(cid) and shown(cid)["proposals"] == 2
    c3 = make_comment(b, other_resident)
    moderation.item_hide(actor=moderator, kind="comment", object_id=c3.pk, reason="rude")
    assert shown(cid) == live_counts(cid)

    # Account deletion takes the person's supports away.
    from proposals.registration import account_anonymise

    account_anonymise(other_resident)
    assert shown(cid) == live_counts(cid)
    # A row deleted outside the services (an ORM delete, a cascade) is counted by nothing: no signal
    # keeps the totals; reconcile_counts finds the difference and sets it right.
    Proposal.objects.get(pk=b.pk).delete()
    assert {m["field"] for m in tally.counts_reconcile(fix=False)} >= {"proposals"}
    tally.counts_reconcile()
    assert shown(cid) == live_counts(cid)
    assert shown(cid)["proposals"] == 1
    assert tally.counts_reconcile(fix=False) == []


def test_reconcile_repairs_a_wrong_total(open_consultation, resident):
    make_proposal(open_consultation, resident)
    ConsultationTally.objects.filter(pk=open_consultation.pk).update(proposals=7)
    assert shown(open_consultation.pk)["proposals"] == 7
    mismatches = tally.counts_reconcile(fix=False)
    assert {"model": "consultation", "id": open_consultation.pk, "field": "proposals", "stored": 7,
            "actual": 1} in mismatches
    tally.counts_reconcile(fix=True)
    assert tally.counts_reconcile(fix=False) == []
    assert shown(open_consultation.pk)["proposals"] == 1


def test_missing_total_counts_live(open_consultation, resident):
    make_proposal(open_consultation, resident)
    ConsultationTally.objects.all().delete()
    assert shown(open_consultation.pk)["proposals"] == 1
    assert tally.counts_reconcile(fix=False) == []  # a missing row is not a wrong one
    make_proposal(open_consultation, resident, title="二つ目")
    assert ConsultationTally.objects.get(pk=open_consultation.pk).proposals == 2


def test_filtered_list_counts_up_to_a_bound(open_consultation, resident, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_BOUND", 3)
    monkeypatch.setattr(selectors, "PAGE_SIZE", 1)
    for i in range(9):
        Proposal.objects.create(consultation=open_consultation, author=resident, title=f"図書館の提案{i}", body="b")
    client = Client()
    url = f"/api/v1/consultations/{open_consultation.pk}/proposals"
    # Page 1 counts up to page 1 + 5 pages (6 > the bound 3): a lower bound, and the API says so.
    first = client.get(url + "?q=図書館").json()
    assert first["count_exact"] is False and first["count"] == 6 and first["pages"] == 6 and len(first["items"]) == 1
    # Every page can still be reached: the bound always reaches past the page asked for.
    last = client.get(url + "?q=図書館&page=9").json()
    assert last["page"] == 9 and len(last["items"]) == 1 and last["count_exact"] is True and last["count"] == 9
    assert client.get(url + "?q=図書館&page=1e9").json()["page"] == 9
    unfiltered = client.get(url).json()
    assert unfiltered["count_exact"] is True and unfiltered["count"] == 9
    html = client.get(open_consultation.url + "?q=図書館&lang=en", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'rel="next"' in html and "6" in html
    exact = client.get(open_consultation.url + "?q=図書館&page=9").content.decode()
    assert 'rel="next"' not in exact


def test_counts_for_many_consultations_match_one_by_one(demo_pages, resident, moderator, user_factory):
    open_c, support_c, closed_c = demo_pages[:3]
    spammer = user_factory("spammer")
    make_proposal(open_c, resident)
    make_proposal(open_c, spammer, title="宣伝")
    Proposal.objects.create(consultation=support_c, author=resident, title="t", body="b")
    ConsultationTally.objects.filter(pk=support_c.pk).delete()  # no totals yet: counted live
    moderation.user_block(actor=moderator, user_id=spammer.pk, reason="spam")
    many = selectors.consultation_counts_many(consultation_ids=[open_c.pk, support_c.pk, closed_c.pk])
    for c in (open_c, support_c, closed_c):
        assert many[c.pk] == shown(c.pk) == live_counts(c.pk)
    assert many[open_c.pk]["proposals"] == 1 and many[support_c.pk]["proposals"] == 1
    assert many[closed_c.pk] == {"proposals": 0, "comments": 0, "supports": 0}


def test_one_spelling_of_the_totals_fills_and_reads_the_tally(open_consultation, resident, other_resident):
    """``selectors.tally_sums`` names the tally's columns; the recompute writes exactly them."""
    tally_columns = {f.name for f in ConsultationTally._meta.get_fields()} - {"consultation"}
    assert set(selectors.tally_sums()) <= tally_columns
    a = make_proposal(open_consultation, resident)
    make_comment(a, other_resident)
    services.support_add(proposal=a, user=other_resident)
    ConsultationTally.objects.all().delete()
    assert shown(open_consultation.pk) == live_counts(open_consultation.pk)  # counted live with tally_sums
    tally.tally_recompute(open_consultation.pk)
    totals = ConsultationTally.objects.values(*selectors.tally_sums()).get(pk=open_consultation.pk)
    assert totals == live_counts(open_consultation.pk) == {"proposals": 1, "comments": 1, "supports": 1}


def test_cached_cards_never_show_stale_content(open_consultation, resident, other_resident, moderator):
    from participation.models import User

    p = make_proposal(open_consultation, resident, title="図書館の開館を延長", body="夜も使いたいです。")
    client = Client()
    first = client.get(open_consultation.url).content.decode()
    assert "図書館の開館を延長" in first and f'data-live-supports="{p.pk}">0<' in first
    services.support_add(proposal=p, user=other_resident)
    User.objects.filter(pk=resident.pk).update(display_name="新しい名前")
    Proposal.objects.filter(pk=p.pk).update(title="図書館の開館を夜10時まで")  # even a write outside the services
    html = client.get(open_consultation.url).content.decode()
    assert f'data-live-supports="{p.pk}">1<' in html
    assert "新しい名前" in html and "図書館の開館を夜10時まで" in html and "図書館の開館を延長" not in html
    moderation.item_hide(actor=moderator, kind="proposal", object_id=p.pk, reason="spam")
    assert "図書館の開館" not in client.get(open_consultation.url).content.decode()
    # Per visitor: "you support this" is part of the card, so one person's card never reaches another.
    moderation.item_unhide(actor=moderator, kind="proposal", object_id=p.pk)
    supporter = Client()
    supporter.force_login(other_resident)
    assert "supported-mark" in supporter.get(open_consultation.url).content.decode()
    assert "supported-mark" not in client.get(open_consultation.url).content.decode()


def test_random_order_is_stable_per_seed_and_pages_cover_everything(open_consultation, resident, monkeypatch):
    from proposals.models import SHUFFLE_MAX

    monkeypatch.setattr(selectors, "PAGE_SIZE", 4)
    for i in range(10):
        p = Proposal.objects.create(consultation=open_consultation, author=resident, title=f"提案{i}", body="b")
        Proposal.objects.filter(pk=p.pk).update(shuffle=(i * 7 % 10) * (SHUFFLE_MAX // 10))  # spread, not by age
    client = Client()
    base = f"/api/v1/consultations/{open_consultation.pk}/proposals?sort=random"

    def order(seed):
        return [item["id"] for page in (1, 2, 3)
                for item in client.get(f"{base}&seed={seed}&page={page}").json()["items"]]

    all_ids = sorted(Proposal.objects.values_list("pk", flat=True))
    first = order("abc")
    assert sorted(first) == all_ids  # across pages: no gaps, no repeats (the wrap-around included)
    assert order("abc") == first  # stable for one visitor
    assert first not in (all_ids, all_ids[::-1])
    starts = set()
    for n in range(20):
        seen = order(f"visitor{n}")
        assert sorted(seen) == all_ids
        # Every visitor walks the same cycle, from their own starting point.
        k = seen.index(first[0])
        assert seen[k:] + seen[:k] == first
        starts.add(seen[0])
    assert len(starts) > 1
    # Page 3 alone (the pages before it never fetched) is the same as when paging through.
    assert [i["id"] for i in client.get(f"{base}&seed=abc&page=3").json()["items"]] == first[8:]
    # With a filter the rotation still covers all matches, counted up to the bound.
    matches = [i["id"] for page in (1, 2, 3) for i in client.get(f"{base}&seed=abc&q=提案&page={page}").json()["items"]]
    assert matches == first


def test_counters_are_kept_by_the_services_not_by_signals(open_consultation, resident):
    """No post_save / post_delete receiver of the proposals app: proposal_create adds itself to the
    consultation totals in its own transaction."""
    from django.db.models.signals import post_delete, post_save

    for signal in (post_save, post_delete):
        sync_receivers, async_receivers = signal._live_receivers(Proposal)
        assert not [r for r in [*sync_receivers, *async_receivers] if r.__module__.startswith("proposals")]
    ConsultationTally.objects.filter(pk=open_consultation.pk).delete()
    make_proposal(open_consultation, resident)  # no row yet: created from COUNT(*), this proposal included
    make_proposal(open_consultation, resident, title="二つ目")  # a row: incremented
    assert ConsultationTally.objects.get(pk=open_consultation.pk).proposals == 2
    assert shown(open_consultation.pk) == live_counts(open_consultation.pk)


@pytest.mark.parametrize("bulk", [False, True])
def test_deleting_a_user_in_the_wagtail_admin_keeps_the_counters(open_consultation, resident, other_resident,
                                                                 user_factory, bulk):
    """The cascade from a deleted user row passes the services by: the admin's own hook counts again."""
    from django.urls import reverse

    cid = open_consultation.pk
    gone = user_factory("leaving")
    mine = make_proposal(open_consultation, gone, title="消える提案")
    theirs = make_proposal(open_consultation, resident)
    make_comment(theirs, gone)
    services.support_add(proposal=theirs, user=gone)
    services.support_add(proposal=mine, user=other_resident)
    admin = user_factory("root", is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(admin)
    if bulk:
        url = reverse("wagtail_bulk_action", args=["participation", "user", "delete"]) + f"?id={gone.pk}"
    else:
        url = reverse("wagtailusers_users:delete", args=[gone.pk])
    response = client.post(url)
    assert response.status_code == 302, response.content.decode()[:300]
    assert not Proposal.objects.filter(pk=mine.pk).exists()
    assert tally.counts_reconcile(fix=False) == []
    assert shown(cid) == live_counts(cid) == {"proposals": 1, "comments": 0, "supports": 0}
