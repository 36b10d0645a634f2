"""Whole anonymous answers of the proposal API and the proposal page from the cache (participation/core/pagecache.py,
proposals/sharing.py, issue 17): keyed by host, path, query and language, changed at once by every write they show,
never served to (nor made from) a signed-in client or one with credentials in a header."""

import asyncio

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from participation.config.overload import AdmissionLimit
from participation.core import pagecache
from participation.moderation import services as moderation
from proposals import services
from tests.proposals.factories import make_comment, make_proposal

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 30


def list_url(consultation, query=""):
    return f"/api/v1/consultations/{consultation.pk}/proposals{query}"


def get(client, url, **headers):
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.content
    return response


def titles(response) -> list[str]:
    return [item["title"] for item in response.json()["items"]]


def test_second_anonymous_list_answer_is_whole_from_the_cache_without_a_query(open_consultation, resident):
    make_proposal(open_consultation, resident, title="最初の提案")
    for query in ("", "?sort=supported", "?page=2", "?sort=supported&page=1&lang=en"):
        first = get(Client(), list_url(open_consultation, query))
        assert first["X-Page-Cache"] == "miss"
        with CaptureQueriesContext(connection) as queries:
            second = get(Client(), list_url(open_consultation, query))
        assert second["X-Page-Cache"] == "hit" and len(queries.captured_queries) == 0
        assert second.content == first.content


def test_detail_and_comments_answers_are_shared_too(open_consultation, resident, other_resident):
    proposal = make_proposal(open_consultation, resident)
    make_comment(proposal, other_resident, body="最初のコメント")
    for url in (f"/api/v1/proposals/{proposal.pk}", f"/api/v1/proposals/{proposal.pk}/comments",
                proposal.get_absolute_url()):
        first = get(Client(), url)
        assert first["X-Page-Cache"] == "miss", url
        with CaptureQueriesContext(connection) as queries:
            second = get(Client(), url)
        assert second["X-Page-Cache"] == "hit" and len(queries.captured_queries) == 0, url
        assert second.content == first.content


def test_headers_anonymous_and_signed_in(open_consultation, resident):
    url = list_url(open_consultation)
    for response in (get(Client(), url), get(Client(), url)):
        assert response["Cache-Control"] == "public, max-age=0, must-revalidate"
        vary = {part.strip().lower() for part in response["Vary"].split(",")}
        assert {"cookie", "accept-language", "authorization"} <= vary
    client = Client()
    client.force_login(resident)
    signed_in = get(client, url)
    assert signed_in["Cache-Control"] == "private, no-cache" and "X-Page-Cache" not in signed_in


def test_each_language_has_its_own_copy(open_consultation):
    url = list_url(open_consultation)
    assert get(Client(), url)["Content-Language"] == "ja"
    english = [get(Client(), url, accept_language="en"), get(Client(), url + "?lang=en")]
    cookie = Client()
    cookie.cookies["lang"] = "en"
    english.append(get(cookie, url))
    assert all(response["Content-Language"] == "en" for response in english)
    assert get(Client(), url)["Content-Language"] == "ja"
    assert get(Client(), url, accept_language="en")["X-Page-Cache"] == "hit"


def test_each_host_has_its_own_copy(open_consultation, resident):
    proposal = make_proposal(open_consultation, resident)
    url = f"/api/v1/proposals/{proposal.pk}"
    assert get(Client(), url).json()["url"].startswith("http://testserver/")
    assert get(Client(), url)["X-Page-Cache"] == "hit"
    other = get(Client(HTTP_HOST="localhost"), url)
    assert other["X-Page-Cache"] == "miss" and other.json()["url"].startswith("http://localhost/")
    assert Client(HTTP_HOST="evil.example").get(url).status_code == 400  # a refused host gets nothing


def test_signed_in_clients_never_get_the_shared_copy(open_consultation, resident, other_resident):
    proposal = make_proposal(open_consultation, other_resident)
    services.support_add(proposal=proposal, user=resident)
    url = list_url(open_consultation)
    get(Client(), url)
    assert get(Client(), url)["X-Page-Cache"] == "hit"
    client = Client()
    client.force_login(resident)
    mine = get(client, url)
    assert "X-Page-Cache" not in mine and mine.json()["items"][0]["supported_by_me"] is True
    assert get(client, f"/api/v1/proposals/{proposal.pk}").json()["supported_by_me"] is True
    # Nor does their answer become the shared one.
    shared = get(Client(), url)
    assert shared["X-Page-Cache"] == "hit" and shared.json()["items"][0]["supported_by_me"] is False


@pytest.mark.parametrize("header", [{"authorization": "Bearer abc"}, {"x-api-key": "abc"}])
def test_clients_with_credentials_never_get_nor_make_the_shared_copy(open_consultation, header):
    url = list_url(open_consultation)
    response = get(Client(), url, **header)
    assert "X-Page-Cache" not in response and response["Cache-Control"] == "private, no-cache"
    assert get(Client(), url)["X-Page-Cache"] == "miss"  # nothing was stored for them
    assert get(Client(), url)["X-Page-Cache"] == "hit"
    assert "X-Page-Cache" not in get(Client(), url, **header)
    client = Client()
    client.cookies["sessionid"] = "abc"
    assert "X-Page-Cache" not in get(client, url)


def test_searches_seeds_and_unknown_parameters_are_not_shared(open_consultation):
    for query in ("?q=公園", "?seed=1", "?sort=random&seed=2", "?utm=1", "?page=1&page=2"):
        url = list_url(open_consultation, query)
        get(Client(), url)
        assert get(Client(), url).get("X-Page-Cache") != "hit", query


def test_support_changes_the_cached_answers_at_once(open_consultation, resident, other_resident):
    proposal = make_proposal(open_consultation, other_resident)
    urls = [list_url(open_consultation), list_url(open_consultation, "?sort=supported"),
            f"/api/v1/proposals/{proposal.pk}"]
    for url in urls:
        get(Client(), url)
        assert get(Client(), url)["X-Page-Cache"] == "hit"
    services.support_add(proposal=proposal, user=resident)
    for url in urls[:2]:
        response = get(Client(), url)
        assert response["X-Page-Cache"] == "miss" and response.json()["items"][0]["supports"] == 1
    assert get(Client(), urls[2]).json()["supports"] == 1
    services.support_remove(proposal=proposal, user=resident)
    assert get(Client(), urls[0]).json()["items"][0]["supports"] == 0


def test_new_proposal_changes_the_cached_list_at_once(open_consultation, resident):
    url = list_url(open_consultation)
    get(Client(), url)
    assert get(Client(), url)["X-Page-Cache"] == "hit"
    make_proposal(open_consultation, resident, title="新しい提案です")
    assert "新しい提案です" in titles(get(Client(), url))


def test_hiding_a_proposal_changes_the_cached_answers_at_once(open_consultation, resident, moderator):
    proposal = make_proposal(open_consultation, resident, title="隠される提案")
    url, detail = list_url(open_consultation), f"/api/v1/proposals/{proposal.pk}"
    page = proposal.get_absolute_url()
    for address in (url, detail, page):
        get(Client(), address)
        assert get(Client(), address)["X-Page-Cache"] == "hit"
    moderation.item_hide(actor=moderator, kind="proposal", object_id=proposal.pk, reason="不適切")
    assert "隠される提案" not in titles(get(Client(), url))
    assert Client().get(detail).status_code == 404
    assert "隠される提案" not in Client().get(page).content.decode()


def test_withdrawing_a_proposal_changes_the_cached_answers_at_once(open_consultation, resident):
    proposal = make_proposal(open_consultation, resident, title="取り下げる提案")
    url, detail = list_url(open_consultation), f"/api/v1/proposals/{proposal.pk}"
    for address in (url, detail):
        get(Client(), address)
    services.proposal_withdraw(proposal=proposal, user=resident)
    assert get(Client(), detail).json()["state"] == "withdrawn"
    items = get(Client(), url).json()["items"]
    assert all(item["state"] == "withdrawn" for item in items if item["id"] == proposal.pk)


def test_new_comment_changes_the_cached_comments_at_once(open_consultation, resident, other_resident):
    proposal = make_proposal(open_consultation, resident)
    url = f"/api/v1/proposals/{proposal.pk}/comments"
    assert get(Client(), url).json()["count"] == 0
    assert get(Client(), url)["X-Page-Cache"] == "hit"
    services.comment_create(proposal=proposal, author=other_resident, body="新しいコメントです")
    response = get(Client(), url)
    assert response["X-Page-Cache"] == "miss" and response.json()["items"][0]["body"] == "新しいコメントです"
    assert "新しいコメントです" in get(Client(), proposal.get_absolute_url()).content.decode()


def test_errors_are_not_shared(open_consultation):
    for url in ("/api/v1/consultations/999999/proposals", list_url(open_consultation, "?page=x"),
                "/api/v1/proposals/999999"):
        assert Client().get(url).status_code in (400, 404)
        assert Client().get(url).get("X-Page-Cache") != "hit"


def scope_for(path, query=b"", headers=()):
    return {"type": "http", "method": "GET", "path": path, "query_string": query,
            "headers": [(b"host", b"testserver"), *headers]}


def test_cached_api_answers_are_given_before_the_admission_limit(open_consultation):
    url = list_url(open_consultation)
    get(Client(), url)

    async def never_called(scope, receive, send):
        raise AssertionError("Django must not be entered")

    async def scenario():
        limit = AdmissionLimit(never_called, limit=1, timeout=0.2, max_waiting=10)
        limit._semaphore = asyncio.Semaphore(1)
        await limit._semaphore.acquire()  # the only slot is busy
        sent, other = [], []

        async def send(message):
            sent.append(message)

        async def send_other(message):
            other.append(message)

        async def receive():
            return {"type": "http.request", "body": b"", "more_body": False}

        await limit(scope_for(url), receive, send)
        await limit(scope_for(url, b"q=x"), receive, send_other)
        return sent, other

    sent, other = asyncio.run(scenario())
    assert sent[0]["status"] == 200 and (b"X-Page-Cache", b"hit") in sent[0]["headers"]
    assert b'"items"' in sent[1]["body"]
    assert other[0]["status"] == 503


def test_asgi_fast_path_reads_the_request_as_django_does(open_consultation):
    url = list_url(open_consultation)
    get(Client(), url)
    get(Client(), url, accept_language="en")
    hit = asyncio.run(pagecache.alookup(scope_for(url)))
    assert hit is not None and dict(hit["headers"])["Content-Language"] == "ja"
    english = asyncio.run(pagecache.alookup(scope_for(url, headers=[(b"accept-language", b"en")])))
    assert english is not None and dict(english["headers"])["Content-Language"] == "en"
    for headers in ([(b"cookie", b"sessionid=abc")], [(b"authorization", b"Bearer x")], [(b"x-api-key", b"k")]):
        assert asyncio.run(pagecache.alookup(scope_for(url, headers=headers))) is None
    assert asyncio.run(pagecache.alookup({**scope_for(url), "method": "POST"})) is None
    bad_host = {**scope_for(url), "headers": [(b"host", b"evil.example")]}
    assert asyncio.run(pagecache.alookup(bad_host)) is None


def test_a_hit_reads_entry_and_stamps_together_and_a_wrong_memo_changes_nothing(open_consultation, resident,
                                                                                  other_resident):
    from participation.core import freshness

    proposal = make_proposal(open_consultation, other_resident)
    url = list_url(open_consultation)
    get(Client(), url)
    key = next(key for key in pagecache._SCOPES if key.endswith(url + "?|ja"))
    assert pagecache.lookup(key) is not None
    pagecache._SCOPES[key] = (freshness.SITE,)  # another process's entry under this key shows more
    assert pagecache.lookup(key) is not None and pagecache._SCOPES[key] == (freshness.SITE,
                                                                          freshness.consultation(open_consultation.pk))
    pagecache._SCOPES.clear()
    services.support_add(proposal=proposal, user=resident)
    assert pagecache.lookup(key) is None
    assert get(Client(), url).json()["items"][0]["supports"] == 1


def test_proposal_page_is_kept_no_longer_than_until_the_next_phase_change(open_consultation, resident, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    phase = open_consultation.current_phase()
    phase.ends_at = timezone.now() + timedelta(seconds=5)
    phase.save()
    proposal = make_proposal(open_consultation, resident)
    stored = {}
    real_set = pagecache.cache.set

    def spy(key, value, timeout=None, **kwargs):
        if key.startswith("pagecache:"):
            stored[key] = timeout
        return real_set(key, value, timeout, **kwargs)

    monkeypatch.setattr(pagecache.cache, "set", spy)
    get(Client(), proposal.get_absolute_url())
    get(Client(), f"/api/v1/proposals/{proposal.pk}")
    page = next(t for k, t in stored.items() if k.endswith(proposal.get_absolute_url() + "?|ja"))
    api = next(t for k, t in stored.items() if "/api/v1/proposals/" in k)
    assert 0 < page <= 5 and api == 30  # the API shows no phase: the longest life
