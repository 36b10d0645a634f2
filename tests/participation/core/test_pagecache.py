"""Whole anonymous consultation pages from the cache (participation/core/pagecache.py, issue 17): shared by
anonymous visitors only, changed at once by every write they show, with the right headers."""

import asyncio

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from participation.config.overload import AdmissionLimit
from participation.core import pagecache
from participation.moderation import services as moderation
from proposals import services
from tests.proposals.factories import make_proposal

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 30


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response


def total(name: str, n: int) -> str:
    return f'data-live-total="{name}">{n}<'


def test_second_anonymous_visit_is_served_whole_without_a_query(open_consultation):
    first = get(Client(), open_consultation.url)
    assert first["X-Page-Cache"] == "miss"
    with CaptureQueriesContext(connection) as queries:
        second = get(Client(), open_consultation.url)
    assert second["X-Page-Cache"] == "hit" and len(queries.captured_queries) == 0
    assert second.content == first.content


def test_anonymous_page_needs_no_token_and_sets_no_cookie(open_consultation):
    response = get(Client(), open_consultation.url)
    html = response.content.decode()
    assert "csrfmiddlewaretoken" not in html and not response.cookies
    assert "/i18n/setlang/?language=en&amp;next=/consultations/parks-future/" in html  # the language switch: a link


def test_language_switch_link_sets_the_cookie_but_only_a_post_stores_the_preference(demo_pages, resident):
    client = Client()
    response = client.get("/i18n/setlang/", {"language": "en", "next": "/consultations/parks-future/"})
    assert response.status_code == 302 and response["Location"] == "/en/consultations/parks-future/"
    assert client.cookies["lang"].value == "en"
    client.force_login(resident)
    client.get("/i18n/setlang/", {"language": "en", "next": "/"})
    resident.refresh_from_db()
    assert resident.preferred_language != "en"  # a link cannot change an account (no CSRF token on a GET)
    assert client.get("/i18n/setlang/", {"language": "xx"})["Location"] == "/"


def test_headers_anonymous_and_signed_in(open_consultation, resident):
    anonymous = get(Client(), open_consultation.url)
    assert anonymous["Cache-Control"] == "public, max-age=0, must-revalidate"
    assert "Cookie" in anonymous["Vary"]
    hit = get(Client(), open_consultation.url)
    assert hit["Cache-Control"] == anonymous["Cache-Control"] and "Cookie" in hit["Vary"]
    assert hit["Content-Security-Policy"] == anonymous["Content-Security-Policy"]  # every header of the stack
    client = Client()
    client.force_login(resident)
    signed_in = get(client, open_consultation.url)
    assert signed_in["Cache-Control"] == "private, no-cache" and "Cookie" in signed_in["Vary"]


def test_signed_in_visitors_never_get_the_shared_page(open_consultation, resident):
    get(Client(), open_consultation.url)
    assert get(Client(), open_consultation.url)["X-Page-Cache"] == "hit"
    client = Client()
    client.force_login(resident)
    response = get(client, open_consultation.url)
    assert "X-Page-Cache" not in response
    assert resident.public_name in response.content.decode() and "csrfmiddlewaretoken" in response.content.decode()
    # Nor does their page become the shared one.
    assert resident.public_name not in get(Client(), open_consultation.url).content.decode()


def test_support_changes_the_cached_page_at_once(open_consultation, resident, other_resident):
    proposal = make_proposal(open_consultation, other_resident)
    get(Client(), open_consultation.url)
    assert total("supports", 0) in get(Client(), open_consultation.url).content.decode()
    services.support_add(proposal=proposal, user=resident)
    response = get(Client(), open_consultation.url)
    assert response["X-Page-Cache"] == "miss" and total("supports", 1) in response.content.decode()


def test_new_proposal_changes_the_cached_page_at_once(open_consultation, resident):
    get(Client(), open_consultation.url)
    get(Client(), open_consultation.url)
    make_proposal(open_consultation, resident, title="新しい提案です")
    assert "新しい提案です" in get(Client(), open_consultation.url).content.decode()


def test_hiding_a_proposal_changes_the_cached_page_at_once(open_consultation, resident, moderator):
    proposal = make_proposal(open_consultation, resident, title="隠される提案")
    assert "隠される提案" in get(Client(), open_consultation.url).content.decode()
    assert get(Client(), open_consultation.url)["X-Page-Cache"] == "hit"
    moderation.item_hide(actor=moderator, kind="proposal", object_id=proposal.pk, reason="不適切")
    assert "隠される提案" not in get(Client(), open_consultation.url).content.decode()


def test_withdrawing_a_proposal_changes_the_cached_page_at_once(open_consultation, resident):
    proposal = make_proposal(open_consultation, resident, title="取り下げる提案")
    get(Client(), open_consultation.url)
    services.proposal_withdraw(proposal=proposal, user=resident)
    html = get(Client(), open_consultation.url).content.decode()
    assert 'class="state state-withdrawn"' in html or "取り下げる提案" not in html


def test_phase_edit_changes_the_cached_page_at_once(open_consultation):
    assert "phase-proposals" in get(Client(), open_consultation.url).content.decode()
    assert get(Client(), open_consultation.url)["X-Page-Cache"] == "hit"
    phase = open_consultation.current_phase()
    phase.kind = "closed"
    phase.save()
    html = get(Client(), open_consultation.url).content.decode()
    assert "phase-closed" in html


def test_publishing_the_page_changes_the_cached_page_at_once(open_consultation):
    get(Client(), open_consultation.url)
    open_consultation.summary = "新しい概要です"
    open_consultation.save_revision().publish()
    assert "新しい概要です" in get(Client(), open_consultation.url).content.decode()


def test_the_page_lives_no_longer_than_until_the_next_phase_change(open_consultation):
    from datetime import timedelta

    from django.utils import timezone

    phase = open_consultation.current_phase()
    now = timezone.now()
    phase.ends_at = now + timedelta(seconds=5)
    phase.save()
    page = type(open_consultation).objects.get(pk=open_consultation.pk)
    assert 0 < page.seconds_until_time_changes_it(now=now) <= 5


def test_only_known_filters_are_shared(open_consultation):
    url = open_consultation.url
    for query in ("?sort=supported&page=2", "?page=2&sort=supported"):
        get(Client(), url + query)
    assert get(Client(), url + "?page=2&sort=supported")["X-Page-Cache"] == "hit"
    for query in ("?q=公園", "?utm=1", "?page=1&page=2"):
        get(Client(), url + query)
        assert get(Client(), url + query).get("X-Page-Cache") != "hit"


def test_a_visitor_with_a_session_or_a_message_is_not_served_the_shared_page(open_consultation):
    get(Client(), open_consultation.url)
    client = Client()
    client.cookies["sessionid"] = "abc"
    assert get(client, open_consultation.url).get("X-Page-Cache") != "hit"
    client = Client()
    client.cookies["messages"] = "x"
    assert get(client, open_consultation.url).get("X-Page-Cache") != "hit"


def test_random_order_is_not_shared(open_consultation):
    """The random order keeps a seed in the visitor's session: a cookie is set, nothing is stored."""
    response = get(Client(), open_consultation.url + "?sort=random")
    assert response.cookies
    assert get(Client(), open_consultation.url + "?sort=random").get("X-Page-Cache") != "hit"


def test_cached_pages_are_answered_before_the_admission_limit(open_consultation):
    """With every slot of the process busy, a shared page is still answered (not a 503); others wait."""
    get(Client(), open_consultation.url)
    path = open_consultation.url

    async def never_called(scope, receive, send):
        raise AssertionError("Django must not be entered")

    async def scenario():
        limit = AdmissionLimit(never_called, limit=1, timeout=0.2, max_waiting=10)
        limit._semaphore = asyncio.Semaphore(1)
        await limit._semaphore.acquire()  # the only slot is busy
        sent = []

        async def send(message):
            sent.append(message)

        async def receive():
            return {"type": "http.request", "body": b"", "more_body": False}

        scope = {"type": "http", "method": "GET", "path": path, "query_string": b"",
                 "headers": [(b"host", b"testserver")]}
        await limit(scope, receive, send)
        other = []

        async def send_other(message):
            other.append(message)

        await limit({**scope, "path": "/reports/"}, receive, send_other)
        return sent, other

    sent, other = asyncio.run(scenario())
    assert sent[0]["status"] == 200
    assert (b"x-page-cache", b"hit") in [(name.lower(), value) for name, value in sent[0]["headers"]]
    assert "/i18n/setlang/?language=en" in sent[1]["body"].decode()
    assert other[0]["status"] == 503


def test_signed_in_request_is_never_answered_by_the_asgi_fast_path(open_consultation):
    get(Client(), open_consultation.url)
    scope = {"type": "http", "method": "GET", "path": open_consultation.url, "query_string": b"",
             "headers": [(b"host", b"testserver"), (b"cookie", b"sessionid=abc; lang=ja")]}
    assert asyncio.run(pagecache.alookup(scope)) is None
    scope["headers"] = [(b"host", b"testserver"), (b"cookie", b'odd"cookie=1; x=[; sessionid=abc')]  # one odd cookie hides nothing
    assert asyncio.run(pagecache.alookup(scope)) is None
    scope["headers"] = [(b"host", b"testserver"), (b"cookie", b"lang=ja")]
    assert asyncio.run(pagecache.alookup(scope)) is not None
