"""One server process hammered on PostgreSQL: its connections stay within the pool's bound, overload is
answered with a quick 503 + Retry-After (never a 500), and it is ready again by itself right after (issue 17)."""

from __future__ import annotations

import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from django.db import connection

from tests.conftest import requires_postgres, start_asgi_server

pytestmark = [requires_postgres, pytest.mark.django_db(transaction=True)]


def _get(url: str, timeout: float = 30) -> tuple[int, dict, bytes, float]:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read(), time.monotonic() - started
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read(), time.monotonic() - started


def _server_connections(app_name: str) -> int:
    params = connection.get_connection_params()
    params.pop("pool", None)
    params.pop("cursor_factory", None)
    with psycopg.connect(**params, autocommit=True) as conn:
        return conn.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [app_name]).fetchone()[0]


def _hammer(urls: list[str], *, clients: int, seconds: float, app_name: str) -> tuple[Counter, list, int]:
    """``clients`` threads request ``urls`` in turn for ``seconds``; pg_stat_activity sampled meanwhile."""
    answers: list[tuple[int, dict, bytes, float]] = []
    peak = 0
    stop = time.monotonic() + seconds

    def client(n: int):
        i = n
        while time.monotonic() < stop:
            answers.append(_get(urls[i % len(urls)]))
            i += 1

    def sample():
        nonlocal peak
        while time.monotonic() < stop + 1:
            peak = max(peak, _server_connections(app_name))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(client, range(clients)))
    sampler.join()
    return Counter(a[0] for a in answers), answers, peak


def _ready_within(url: str, seconds: float) -> float | None:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if _get(url + "/readyz", timeout=seconds)[0] == 200:
            return time.monotonic() - started
        time.sleep(0.1)
    return None


def _stop(server):
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()


def test_one_process_never_holds_more_connections_than_its_pool(open_consultation, tmp_path):
    app_name = "traffic-bound-test"
    server = start_asgi_server(
        tmp_path, DEBUG="0", SECRET_KEY="x" * 50, SECURE_SSL_REDIRECT="0", BEHIND_PROXY="0",
        DB_POOL_MIN_SIZE="1", DB_POOL_MAX_SIZE="3", ASGI_THREADS="6", PGAPPNAME=app_name,
        PAGE_CACHE_SECONDS="0",  # every request reaches Django and the pool
    )
    try:
        page = server.url + open_consultation.url
        urls = [page, server.url + "/api/v1/consultations", page + "?sort=supported"]
        codes, answers, peak = _hammer(urls, clients=30, seconds=6, app_name=app_name)
        assert codes[200] > 0
        assert set(codes) <= {200, 503}, codes  # overload is a 503, never a 500
        assert 1 <= peak <= 3, f"{peak} connections held by one process with DB_POOL_MAX_SIZE=3"
        assert _ready_within(server.url, 5) is not None
        assert _server_connections(app_name) <= 3
    finally:
        _stop(server)


def test_overload_is_a_quick_503_then_the_process_recovers(open_consultation, tmp_path):
    app_name = "traffic-overload-test"
    # One connection, waited for at most 0.3 s; two request threads, a request queues for one at most 0.2 s.
    server = start_asgi_server(
        tmp_path, DEBUG="0", SECRET_KEY="x" * 50, SECURE_SSL_REDIRECT="0", BEHIND_PROXY="0",
        DB_POOL_MIN_SIZE="1", DB_POOL_MAX_SIZE="1", DB_POOL_TIMEOUT="0.3", ASGI_THREADS="2",
        REQUEST_QUEUE_TIMEOUT="0.2", RETRY_AFTER_SECONDS="3", PGAPPNAME=app_name,
        # Every request reaches Django and the database: shared anonymous copies and cached reads would answer
        # this little traffic without ever queueing.
        PAGE_CACHE_SECONDS="0", FRESHNESS_CACHE="0",
    )
    try:
        page = server.url + open_consultation.url
        urls = [page, server.url + "/en" + open_consultation.url, server.url + "/api/v1/consultations"]
        codes, answers, peak = _hammer(urls, clients=24, seconds=6, app_name=app_name)
        assert set(codes) <= {200, 503}, codes
        assert codes[503] > 0 and codes[200] > 0, codes
        assert peak <= 1
        for status, headers, body, took in answers:
            assert took < 10, "no request hangs"
            if status != 503:
                continue
            assert headers["Retry-After"] == "3"
            text = body.decode()
            if headers["Content-Type"].startswith("application/json"):
                assert '"overloaded"' in text
            elif headers.get("Content-Language") == "en":
                assert "very busy" in text
            else:
                assert "混み合って" in text
        seconds = _ready_within(server.url, 5)
        assert seconds is not None, "not ready within 5 s after the load"
        assert _get(page)[0] == 200
        log = server.log.read_text()
        assert "Internal Server Error" not in log
    finally:
        _stop(server)
