"""HTML views: everything works without JavaScript; another user's items can't be changed; constant queries."""

import pytest
from django.test import Client
from django.utils import timezone

from proposals.models import Comment, CommentVote, Proposal, Support
from tests.proposals.factories import make_comment, make_proposal

pytestmark = pytest.mark.django_db


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_consultation_page_lists_with_filters(open_consultation, resident, client):
    make_proposal(open_consultation, resident, title="<script>alert(1)</script>ベンチ", body="<b>木陰</b>")
    make_proposal(open_consultation, resident, title="照明を明るく", body="夜道が暗い")
    html = client.get(open_consultation.url).content.decode()
    assert "照明を明るく" in html and "ベンチ" in html and "<script>alert(1)" not in html
    assert f'data-live-consultation="{open_consultation.pk}"' in html
    html = client.get(open_consultation.url + "?q=暗い").content.decode()
    assert "照明を明るく" in html and "ベンチ" not in html
    response = client.get(open_consultation.url + "?sort=bogus&page=-1")
    assert response.status_code == 200
    assert "Unknown sort order" in response.content.decode() or "並べ替え" in response.content.decode()
    assert client.get(open_consultation.url + "?page=1e9").status_code == 200


def test_list_query_count_constant(open_consultation, resident, user_factory, django_assert_max_num_queries, client):
    def add(n):
        for i in range(n):
            p = Proposal.objects.create(consultation=open_consultation, author=resident, title=f"提案{i}", body="b")
            Comment.objects.create(proposal=p, author=resident, body="c")
    add(3)
    client.force_login(resident)
    client.get(open_consultation.url)  # warm caches (site, locale)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(open_consultation.url)
    add(40)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(open_consultation.url).status_code == 200


def test_detail_query_count_constant(open_consultation, resident, other_resident, django_assert_max_num_queries):
    p = make_proposal(open_consultation, resident)
    first = make_comment(p, other_resident)
    make_comment(p, other_resident, parent=make_comment(p, resident, parent=first))  # all three levels
    client = logged_in(other_resident)
    client.get(p.get_absolute_url())
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(p.get_absolute_url())
    budget = len(small.captured_queries)  # now: the connection's query log is bounded, later slices shift
    root = make_comment(p, other_resident)
    for _i in range(20):
        reply = make_comment(p, resident, parent=root)
        make_comment(p, other_resident, parent=reply)
    client.get(p.get_absolute_url())  # the comments bumped the cached reads' stamps: warm again
    with django_assert_max_num_queries(budget):
        assert client.get(p.get_absolute_url()).status_code == 200


def test_create_without_js(open_consultation, resident):
    client = logged_in(resident)
    url = f"/proposals/new/{open_consultation.pk}/"
    form = client.get(url).content.decode()
    assert 'id="similar-proposals"' in form and f"/api/v1/consultations/{open_consultation.pk}/similar" in form
    response = client.post(url, {"title": "歩道の段差をなくして", "body": "車いすで通れません", "category": "safety"})
    assert response.status_code == 302
    p = Proposal.objects.get()
    assert p.category.slug == "safety" and response["Location"] == p.get_absolute_url()
    bad = client.post(url, {"title": "x" * 151, "body": "本文はそのまま残る"})
    assert bad.status_code == 400 and "本文はそのまま残る" in bad.content.decode()
    assert Proposal.objects.count() == 1


def test_create_refused_outside_phase_and_anonymous(support_consultation, open_consultation, resident, client):
    assert client.get(f"/proposals/new/{open_consultation.pk}/").status_code == 302  # to login
    assert logged_in(resident).get(f"/proposals/new/{support_consultation.pk}/").status_code == 403


def test_support_comment_vote_without_js(open_consultation, resident, other_resident):
    p = make_proposal(open_consultation, resident)
    client = logged_in(other_resident)
    assert client.post(f"/proposals/{p.pk}/support/", {"action": "add"}).status_code == 302
    assert Support.objects.filter(proposal=p, user=other_resident).exists()
    client.post(f"/proposals/{p.pk}/support/", {"action": "add"})  # twice: a message, no second row
    assert Support.objects.filter(proposal=p).count() == 1
    r = client.post(f"/proposals/{p.pk}/comment/", {"body": "<a href='javascript:alert(1)'>賛成</a>", "stance": "for"})
    assert r.status_code == 302
    c = Comment.objects.get()
    assert c.body == "<a href='javascript:alert(1)'>賛成</a>"  # stored as typed, escaped on output
    assert client.post(f"/proposals/{p.pk}/comment/", {"body": "", "stance": "for"}).status_code == 400
    logged_in(resident).post(f"/proposals/comments/{c.pk}/vote/", {"value": "1"})
    assert CommentVote.objects.get().value == 1
    html = client.get(p.get_absolute_url()).content.decode()
    assert "<a href='javascript:" not in html and "&lt;a href=&#x27;javascript:alert(1)&#x27;&gt;賛成&lt;/a&gt;" in html
    client.post(f"/proposals/{p.pk}/support/", {"action": "remove"})
    assert not Support.objects.exists()


def test_others_cannot_edit_or_delete(open_consultation, resident, other_resident):
    p = make_proposal(open_consultation, resident)
    c = make_comment(p, resident)
    client = logged_in(other_resident)
    assert client.get(f"/proposals/{p.pk}/edit/").status_code == 403
    assert client.post(f"/proposals/{p.pk}/edit/", {"title": "乗っ取り", "body": "x"}).status_code == 403
    assert client.post(f"/proposals/{p.pk}/withdraw/").status_code == 403
    assert client.post(f"/proposals/{p.pk}/answer/", {"state": "accepted", "answer": "x"}).status_code == 403
    assert client.post(f"/proposals/comments/{c.pk}/edit/", {"body": "乗っ取り", "stance": "for"}).status_code == 403
    assert client.post(f"/proposals/comments/{c.pk}/delete/").status_code == 403
    p.refresh_from_db()
    c.refresh_from_db()
    assert p.title != "乗っ取り" and p.state == "published" and c.body == "賛成です。" and c.deleted_at is None


def test_author_edits_comment_and_deletes_with_tombstone(open_consultation, resident, other_resident):
    p = make_proposal(open_consultation, resident)
    c = make_comment(p, resident)
    make_comment(p, other_resident, body="返信です", parent=c)
    client = logged_in(resident)
    assert client.post(f"/proposals/comments/{c.pk}/edit/", {"body": "直しました", "stance": "against"}).status_code == 302
    html = client.get(p.get_absolute_url()).content.decode()
    assert "直しました" in html and ("edited" in html or "編集" in html)
    client.post(f"/proposals/comments/{c.pk}/delete/")
    html = client.get(p.get_absolute_url()).content.decode()
    assert "直しました" not in html and "返信です" in html and "tombstone" in html


def test_staff_answer_and_follow(open_consultation, resident, other_resident, staff_user):
    p = make_proposal(open_consultation, resident)
    logged_in(other_resident).post(f"/proposals/{p.pk}/follow/", {"action": "follow"})
    r = logged_in(staff_user).post(f"/proposals/{p.pk}/answer/", {"state": "accepted", "answer": "来年度に実施します"})
    assert r.status_code == 302
    html = Client().get(p.get_absolute_url()).content.decode()
    assert "来年度に実施します" in html
    from participation.models import Notification

    assert Notification.objects.filter(verb="proposal_answered").count() == 2


def test_withdrawn_and_hidden(open_consultation, resident, other_resident, client):
    p = make_proposal(open_consultation, resident)
    assert logged_in(resident).post(f"/proposals/{p.pk}/withdraw/").status_code == 200  # asks first
    p.refresh_from_db()
    assert p.state == "published"
    logged_in(resident).post(f"/proposals/{p.pk}/withdraw/", {"confirm": "1"})
    p.refresh_from_db()
    assert p.state == "withdrawn"
    logged_in(other_resident).post(f"/proposals/{p.pk}/support/", {"action": "add"})
    assert not Support.objects.exists()
    Proposal.objects.filter(pk=p.pk).update(hidden_at=timezone.now())
    assert client.get(p.get_absolute_url()).status_code == 404


def test_english_detail(open_consultation, resident, client):
    p = make_proposal(open_consultation, resident)
    assert client.get(f"/en{p.get_absolute_url()}").status_code == 200
