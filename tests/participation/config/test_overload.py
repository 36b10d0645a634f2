"""Overload answered with 503 + Retry-After (admission limit, pool timeouts), /healthz and /readyz (issue 17).

The behaviour against a real server on PostgreSQL is in test_traffic_postgres.py."""

from __future__ import annotations

import asyncio
import json
import sys

import pytest
from django.db import OperationalError as DjangoOperationalError
from django.test import Client, RequestFactory
from psycopg_pool import PoolTimeout

from participation.config import views
from participation.config.overload import AdmissionLimit, OverloadMiddleware, is_overload_error


def _scope(path: str, headers: list[tuple[bytes, bytes]] | None = None) -> dict:
    return {"type": "http", "method": "GET", "path": path, "raw_path": path.encode(), "root_path": "",
            "query_string": b"", "headers": headers or [], "client": ("127.0.0.1", 1), "server": ("testserver", 80)}


class SlowApp:
    """Stands in for Django: holds its slot until released."""

    def __init__(self):
        self.release = asyncio.Event()
        self.entered = 0

    async def __call__(self, scope, receive, send):
        self.entered += 1
        await self.release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


async def _call(app, scope) -> dict:
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    await app(scope, receive, send)
    start = sent[0]
    return {"status": start["status"], "headers": {k.decode().lower(): v.decode() for k, v in start["headers"]},
            "body": b"".join(m.get("body", b"") for m in sent[1:]).decode()}


def test_admission_limit_answers_503_quickly_then_recovers(settings):
    settings.RETRY_AFTER_SECONDS = 7

    async def run():
        inner = SlowApp()
        limited = AdmissionLimit(inner, limit=1, timeout=0.2, max_waiting=100)
        first = asyncio.ensure_future(_call(limited, _scope("/consultations/x/")))
        await asyncio.sleep(0.05)
        busy_ja = await _call(limited, _scope("/consultations/x/"))
        busy_en = await _call(limited, _scope("/en/consultations/x/"))
        busy_cookie = await _call(limited, _scope("/consultations/x/", [(b"cookie", b"lang=en")]))
        busy_api = await _call(limited, _scope("/api/v1/proposals"))
        busy_open311 = await _call(limited, _scope("/open311/v2/requests.json"))
        busy_xml = await _call(limited, _scope("/open311/v2/requests.xml"))
        inner.release.set()
        health = await _call(limited, _scope("/healthz"))  # liveness is never queued
        assert (await first)["status"] == 200
        after = await _call(limited, _scope("/consultations/x/"))  # the slot is free again
        return busy_ja, busy_en, busy_cookie, busy_api, busy_open311, busy_xml, health, after, limited

    busy_ja, busy_en, busy_cookie, busy_api, busy_open311, busy_xml, health, after, limited = asyncio.run(run())
    for answer in (busy_ja, busy_en, busy_cookie, busy_api, busy_open311, busy_xml):
        assert answer["status"] == 503
        assert answer["headers"]["retry-after"] == "7"
    assert 'lang="ja"' in busy_ja["body"] and "混み合って" in busy_ja["body"]
    assert 'lang="en"' in busy_en["body"] and "very busy" in busy_en["body"]
    assert 'lang="en"' in busy_cookie["body"]
    assert json.loads(busy_api["body"])["code"] == "overloaded"
    assert busy_api["headers"]["content-type"].startswith("application/json")
    assert json.loads(busy_open311["body"])[0]["code"] == 503
    assert busy_xml["body"].startswith("<?xml") and "<code>503</code>" in busy_xml["body"]
    assert health["status"] == 200 and after["status"] == 200
    assert limited.refused == 6 and limited.running == 0 and limited.waiting == 0


def test_admission_limit_refuses_at_once_when_the_queue_is_full(settings):
    async def run():
        inner = SlowApp()
        limited = AdmissionLimit(inner, limit=1, timeout=30, max_waiting=1)
        first = asyncio.ensure_future(_call(limited, _scope("/a/")))
        await asyncio.sleep(0.05)
        queued = asyncio.ensure_future(_call(limited, _scope("/b/")))
        await asyncio.sleep(0.05)
        loop = asyncio.get_running_loop()
        started = loop.time()
        refused = await _call(limited, _scope("/c/"))
        took = loop.time() - started
        inner.release.set()
        return refused, took, await first, await queued

    refused, took, first, queued = asyncio.run(run())
    assert refused["status"] == 503 and took < 1
    assert first["status"] == 200 and queued["status"] == 200


@pytest.mark.parametrize("exc, overload", [
    (PoolTimeout("couldn't get a connection after 5.00 sec"), True),
    (DjangoOperationalError('connection failed: FATAL:  sorry, too many clients already'), True),
    (DjangoOperationalError('syntax error at or near "SELEC"'), False),
    (ValueError("x"), False),
])
def test_is_overload_error(exc, overload):
    assert is_overload_error(exc) is overload


def test_pool_timeout_wrapped_by_django_is_overload():
    try:
        try:
            raise PoolTimeout("couldn't get a connection after 0.50 sec")
        except PoolTimeout as inner:
            raise DjangoOperationalError(str(inner)) from inner
    except DjangoOperationalError as exc:
        assert is_overload_error(exc)


def test_middleware_turns_pool_timeout_into_503(settings):
    factory = RequestFactory()
    middleware = OverloadMiddleware(lambda request: None)
    api = middleware.process_exception(factory.get("/api/v1/proposals"), PoolTimeout("no connection"))
    assert api.status_code == 503 and api["Retry-After"] == str(settings.RETRY_AFTER_SECONDS)
    assert json.loads(api.content)["code"] == "overloaded"
    page = middleware.process_exception(factory.get("/en/proposals/1/"), PoolTimeout("no connection"))
    assert page.status_code == 503 and b"very busy" in page.content
    assert middleware.process_exception(factory.get("/"), ValueError("bug")) is None


def test_500_handler_answers_503_for_a_pool_timeout_raised_anywhere():
    request = RequestFactory().get("/")
    try:
        raise PoolTimeout("no connection")
    except PoolTimeout:
        assert sys.exc_info()[1] is not None
        response = views.server_error(request)
    assert response.status_code == 503 and "Retry-After" in response


def test_healthz_touches_no_database(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = Client().get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_checks_database_and_cache(db):
    response = Client().get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok" and response.json()["checks"]["cache"] == "ok"


def test_readyz_is_503_when_a_dependency_is_down(db, monkeypatch):
    def down():
        raise ConnectionError("redis down")

    monkeypatch.setattr(views, "_check_cache", down)
    response = Client().get("/readyz")
    assert response.status_code == 503 and response["Retry-After"]
    assert response.json() == {"status": "unavailable",
                               "checks": {"database": "ok", "cache": "unavailable", "channel_layer": "ok"}}
