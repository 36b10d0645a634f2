"""Load benchmark against a running instance, by URL (prints figures, never asserts).

It starts nothing and sends traffic only to 127.0.0.1 / localhost (any other host is refused).
Start the server yourself, for example on PostgreSQL + Redis with rate limits off:

    createdb -h 127.0.0.1 -U postgres bench_load            # a scratch database: writers leave comments behind
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_load REDIS_URL=redis://127.0.0.1:6379/6
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py seed_demo --password demo-pass
    RATE_LIMITS_ENABLED=0 .venv/bin/daphne -b 127.0.0.1 -p 8091 participation.asgi:application

then, in another shell with the same DATABASE_URL:

    .venv/bin/python bench/load.py --url http://127.0.0.1:8091 --password demo-pass --scenario all
    .venv/bin/python bench/load.py --password demo-pass --scenario readers --duration 10 --readers 50   # quick
    .venv/bin/python bench/load.py ... --url http://127.0.0.1:8001 --also-url http://127.0.0.1:8002   # 2 processes,
                                          # no proxy: clients and sockets spread over both, supports sent to --url

Scenarios (--scenario, repeatable or comma-separated):
  readers     --readers anonymous clients (200) for --duration seconds (60), each in a closed loop over the
              proposal list API (/api/v1/consultations/<id>/proposals), the consultation page and the
              proposal list on it (other sorts and pages of the same page).
  writers     --writers clients (20), each logged in as a demo resident (resident1..N through the allauth
              login form, with --password), supporting, unsupporting and commenting for --duration seconds
              through the JSON API residents' apps use (--write-via api, the default: 201/200, and 409/403
              when the state or a rule refuses) or the HTML forms of the pages (--write-via form: 302).
  mixed       both at once.
  websockets  --sockets websocket clients (500) on /ws/consultations/<id>/ while one resident supports (and,
              in alternate rounds, unsupports) a proposal, --ws-rounds times: the time from the support's HTTP
              answer (and from sending it) to the message with the proposal's new count on each socket,
              p50/p95, and how many sockets received it.

For each scenario it prints requests/s and p50/p95/p99 per kind of request, the answers by status code, the
peak number of PostgreSQL connections to the server's database sampled from pg_stat_activity during the
run (--pg-dsn, default $DATABASE_URL; the sampling connection is opened before the load), the time until
/readyz (or /healthz where there is no /readyz) answers 200 after the load stops, and then the result of
`manage.py reconcile_counts --check` on the same database. Every loop is bounded in time and in count;
each request has a timeout (--timeout). The load generator runs on the same machine as the server: its
own CPU time is printed so the figures can be read against it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import resource
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
SCENARIOS = ("readers", "writers", "mixed", "websockets")
MAX_LIST_PAGES = 10  # proposals fetched to pick targets from: at most 10 API pages


# --- Safety --------------------------------------------------------------------------------


def check_local_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.hostname not in LOCAL_HOSTS:
        raise SystemExit(f"refusing {url!r}: this benchmark only sends traffic to http(s)://127.0.0.1 or localhost")
    return url.rstrip("/")


def check_local_dsn(dsn: str) -> str:
    from psycopg.conninfo import conninfo_to_dict

    info = conninfo_to_dict(dsn)
    for key in ("host", "hostaddr"):
        for host in (info.get(key) or "").split(","):
            if host and not host.startswith("/") and host not in LOCAL_HOSTS:
                raise SystemExit(f"refusing the PostgreSQL host {host!r}: only 127.0.0.1, localhost or a local socket")
    return dsn


# --- Measurements --------------------------------------------------------------------------


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest rank on a sorted list (q in 0..100)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), round(q / 100 * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


@dataclass
class Recorder:
    """Every answer of a scenario: kind -> [(status, milliseconds)], and one body per unexpected status."""

    samples: dict[str, list[tuple[str, float]]] = field(default_factory=lambda: defaultdict(list))
    examples: dict[tuple[str, str], str] = field(default_factory=dict)

    def add(self, kind: str, status: str, ms: float, body: bytes = b"") -> None:
        self.samples[kind].append((status, ms))
        if (status.startswith("5") or not status[0].isdigit()) and (kind, status) not in self.examples:
            text = body[:20000].decode("utf-8", "replace")
            title = re.search(r"<title>(.*?)</title>", text, re.S)  # Django's debug page names the exception there
            text = title.group(1) if title else re.sub(r"<[^>]+>", " ", text[:4000])
            self.examples[(kind, status)] = " ".join(text.split())[:240]

    def report(self, seconds: float, expected: set[str]) -> None:
        width = max([len(k) for k in self.samples] + [8])
        print(f"  {'kind':<{width}} {'answers':>8} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
              f"{'max ms':>8}  status codes")
        everything: list[tuple[str, float]] = []
        for kind in sorted(self.samples):
            rows = self.samples[kind]
            everything.extend(rows)
            self._row(kind, rows, seconds, width)
        if len(self.samples) > 1:
            self._row("all", everything, seconds, width)
        statuses = Counter(status for status, _ in everything)
        total = len(everything) or 1
        bad_5xx = sum(n for s, n in statuses.items() if s.startswith("5") and s != "503")
        failures = sum(n for s, n in statuses.items() if not s[0].isdigit())
        unexpected = sum(n for s, n in statuses.items() if s not in expected)
        print(f"  answers by status: {format_counter(statuses)}")
        print(f"  5xx other than 503: {bad_5xx} ({bad_5xx / total:.1%}); 503: {statuses['503']} "
              f"({statuses['503'] / total:.1%}); no answer (timeout/connection error): {failures}; "
              f"outside {{{', '.join(sorted(expected))}}}: {unexpected}")
        for (kind, status), text in sorted(self.examples.items()):
            print(f"  first {status} on {kind}: {text or '(empty body)'}")

    @staticmethod
    def _row(kind: str, rows: list[tuple[str, float]], seconds: float, width: int) -> None:
        times = sorted(ms for _, ms in rows)
        statuses = Counter(status for status, _ in rows)
        print(f"  {kind:<{width}} {len(rows):>8} {len(rows) / seconds:>7.1f} {percentile(times, 50):>8.0f} "
              f"{percentile(times, 95):>8.0f} {percentile(times, 99):>8.0f} {times[-1] if times else 0:>8.0f}  "
              f"{format_counter(statuses)}")


def format_counter(counter: Counter) -> str:
    return ", ".join(f"{key}: {value}" for key, value in sorted(counter.items())) or "-"


async def timed(rec: Recorder | None, kind: str, session: aiohttp.ClientSession, method: str, url: str,
                timeout: float, **kwargs) -> tuple[str, bytes, aiohttp.ClientResponse | None]:
    """One request; its status ('200', 'timeout', 'error:ClientOSError' ...) and time go to the recorder."""
    start = time.perf_counter()
    response = None
    body = b""
    try:
        async with session.request(method, url, allow_redirects=False,
                                   timeout=aiohttp.ClientTimeout(total=timeout), **kwargs) as response:
            body = await response.read()
            status = str(response.status)
    except TimeoutError:
        status = "timeout"
    except aiohttp.ClientError as exc:
        status = f"error:{type(exc).__name__}"
    if rec is not None:
        rec.add(kind, status, (time.perf_counter() - start) * 1000, body)
    return status, body, response


class PgMonitor:
    """Samples pg_stat_activity through one connection opened before the load (an exhausted server
    would refuse a new one): the peak number of connections to the server's database."""

    def __init__(self, dsn: str | None, interval: float):
        self.dsn = dsn
        self.interval = interval
        self.conn = None
        self.max_connections = None
        self.database = None
        self.before = None
        self.peak = 0
        self.peak_states: Counter = Counter()
        self.peak_all = 0
        self.samples = 0
        self.error = None

    async def open(self) -> None:
        if not self.dsn:
            self.error = "no --pg-dsn and no DATABASE_URL: PostgreSQL connections not sampled"
            return
        import psycopg

        try:
            self.conn = await psycopg.AsyncConnection.connect(self.dsn, autocommit=True, connect_timeout=10)
            cur = await self.conn.execute("SELECT current_setting('max_connections')::int, current_database()")
            self.max_connections, self.database = await cur.fetchone()
            self.before, _, _ = await self._sample()
        except Exception as exc:  # noqa: BLE001 - report and go on without the figure
            self.error = f"PostgreSQL sampling unavailable: {type(exc).__name__}: {exc}"
            self.conn = None

    async def _sample(self) -> tuple[int, Counter, int]:
        cur = await self.conn.execute(
            "SELECT datname = current_database(), coalesce(state, '?'), count(*) FROM pg_stat_activity "
            "WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() GROUP BY 1, 2"
        )
        rows = await cur.fetchall()
        states = Counter({state: n for mine, state, n in rows if mine})
        return sum(states.values()), states, sum(n for _, _, n in rows)

    async def run(self, stop: asyncio.Event, limit_s: float) -> None:
        if self.conn is None:
            return
        deadline = time.monotonic() + limit_s
        while not stop.is_set() and time.monotonic() < deadline:
            try:
                count, states, everyone = await asyncio.wait_for(self._sample(), timeout=5)
            except Exception as exc:  # noqa: BLE001
                self.error = f"sampling stopped: {type(exc).__name__}: {exc}"
                return
            self.samples += 1
            if count >= self.peak:
                self.peak, self.peak_states = count, states
            self.peak_all = max(self.peak_all, everyone)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.interval)

    async def now(self) -> int | None:
        if self.conn is None:
            return None
        try:
            count, _, _ = await asyncio.wait_for(self._sample(), timeout=5)
        except Exception:  # noqa: BLE001
            return None
        return count

    async def close(self) -> None:
        if self.conn is not None:
            await self.conn.close()

    def report(self, after: int | None) -> None:
        if self.conn is None and self.samples == 0:
            print(f"  PostgreSQL connections: {self.error}")
            return
        states = ", ".join(f"{s} {n}" for s, n in self.peak_states.most_common())
        print(f"  PostgreSQL connections to {self.database}: before {self.before}, peak {self.peak} ({states}), "
              f"after {after if after is not None else '?'}; peak on the whole server {self.peak_all} of "
              f"max_connections {self.max_connections} ({self.samples} samples every {self.interval:g} s)")
        if self.error:
            print(f"  ({self.error})")


# --- The instance ----------------------------------------------------------------------------


@dataclass
class Target:
    base: str
    consultation_id: int
    consultation_title: str
    page_url: str  # absolute, on the first --url
    page_path: str
    proposal_ids: list[int]
    health_path: str


@dataclass
class Resident:
    email: str
    cookies: dict[str, str] = field(default_factory=dict)

    def absorb(self, response: aiohttp.ClientResponse | None) -> None:
        if response is None:
            return
        for header in response.headers.getall("Set-Cookie", []):
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)

    def headers(self, base: str, extra: dict | None = None) -> dict[str, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "Referer": base + "/"}
        if "csrftoken" in self.cookies:
            headers["X-CSRFToken"] = self.cookies["csrftoken"]
        return {**headers, **(extra or {})}


async def discover(session: aiohttp.ClientSession, args) -> Target:
    """Pick the consultation (--consultation, else the one open for supports with the most proposals),
    its page URL, its proposal ids, and the readiness path."""
    base = args.url
    status, body, _ = await timed(None, "", session, "GET", base + "/api/v1/consultations", args.timeout)
    if status != "200":
        raise SystemExit(f"{base}/api/v1/consultations answered {status}: is the server running and healthy?")
    consultations = json.loads(body)
    if args.consultation:
        chosen = [c for c in consultations if c["id"] == args.consultation]
        if not chosen:
            raise SystemExit(f"consultation {args.consultation} is not among {[c['id'] for c in consultations]}")
    else:
        chosen = sorted(consultations, key=lambda c: ("support" in c["allows"], c["proposals"]), reverse=True)
    consultation = chosen[0]
    ids: list[int] = []
    for page in range(1, MAX_LIST_PAGES + 1):
        status, body, _ = await timed(None, "", session, "GET",
                                      f"{base}/api/v1/consultations/{consultation['id']}/proposals?page={page}",
                                      args.timeout)
        if status != "200":
            raise SystemExit(f"the proposal list answered {status}")
        data = json.loads(body)
        ids.extend(p["id"] for p in data["items"] if p["state"] != "withdrawn")
        if page >= data["pages"]:
            break
    if not ids:
        raise SystemExit(f"consultation {consultation['id']} has no proposals: run seed_demo first")
    # Readiness (database and Redis) where the instance has it; before /readyz existed, /healthz ran a query.
    health = "/readyz"
    status, _, _ = await timed(None, "", session, "GET", base + health, args.timeout)
    if status != "200":
        health = "/healthz"
        status, _, _ = await timed(None, "", session, "GET", base + health, args.timeout)
        if status != "200":
            raise SystemExit(f"neither /readyz nor /healthz answers 200 before the load ({status}): not healthy")
    return Target(base=base, consultation_id=consultation["id"], consultation_title=consultation["title"],
                  page_url=urljoin(base + "/", consultation["url"]), page_path=urlsplit(consultation["url"]).path,
                  proposal_ids=ids, health_path=health)


async def login(session: aiohttp.ClientSession, args, email: str) -> Resident:
    """Sign in through allauth's login form, as a browser does (429 from its rate limit: wait, retry)."""
    resident = Resident(email)
    url = args.url + "/accounts/login/"
    deadline = time.monotonic() + args.login_timeout
    while time.monotonic() < deadline:
        resident.cookies.clear()
        status, body, response = await timed(None, "", session, "GET", url, args.timeout)
        resident.absorb(response)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if status == "200" and token:
            status, body, response = await timed(
                None, "", session, "POST", url, args.timeout, headers=resident.headers(args.url),
                data={"login": email, "password": args.password, "csrfmiddlewaretoken": token.group(1).decode()})
            resident.absorb(response)
            if status == "302" and "sessionid" in resident.cookies:
                return resident
            if status == "200":
                raise SystemExit(f"logging in as {email} failed: wrong --password? (seed_demo --password sets it)")
        wait = 5.0
        if response is not None and status == "429":
            wait = float(response.headers.get("Retry-After") or 10)
        await asyncio.sleep(min(max(wait, 1.0), max(0.0, deadline - time.monotonic())))
    raise SystemExit(f"could not log in as {email} within {args.login_timeout:g} s (last answer {status})")


async def login_many(session, args, count: int, first: int = 1) -> list[Resident]:
    if not args.password:
        raise SystemExit("writers and websockets log in as demo residents: give --password (or $LOAD_DEMO_PASSWORD)")
    gate = asyncio.Semaphore(4)
    start = time.perf_counter()
    demo_users = args.demo_users

    async def one(i: int) -> Resident:
        async with gate:
            return await login(session, args, args.email_pattern.format(n=(first - 1 + i) % demo_users + 1))

    residents = list(await asyncio.gather(*(one(i) for i in range(count))))
    print(f"  logged in {count} resident(s) through the login form in {time.perf_counter() - start:.1f} s")
    return residents


async def supported_ids(session, args, target: Target, resident: Resident) -> set[int]:
    """The proposals of the consultation this resident supports now (from the list API, logged in)."""
    ids: set[int] = set()
    for page in range(1, MAX_LIST_PAGES + 1):
        status, body, response = await timed(
            None, "", session, "GET", f"{args.url}/api/v1/consultations/{target.consultation_id}/proposals?page={page}",
            args.timeout, headers=resident.headers(args.url))
        resident.absorb(response)
        if status != "200":
            break
        data = json.loads(body)
        ids.update(p["id"] for p in data["items"] if p["supported_by_me"])
        if page >= data["pages"]:
            break
    return ids


# --- Clients ---------------------------------------------------------------------------------


async def reader(i: int, session, args, target: Target, rec: Recorder, deadline: float) -> None:
    base = args.urls[i % len(args.urls)]  # several processes without a proxy: clients spread over them
    api = f"{base}/api/v1/consultations/{target.consultation_id}/proposals"
    page = base + target.page_path
    rotation = [
        ("api_list", [api, api + "?sort=supported", api + "?page=2"]),
        ("consultation_page", [page]),
        ("list_page", [page + q for q in ("?sort=supported", "?page=2", "?sort=commented")]),
    ]
    n = i  # readers start at different points of the rotation
    for _ in range(args.max_requests):
        if time.monotonic() >= deadline:
            return
        kind, urls = rotation[n % len(rotation)]
        await timed(rec, kind, session, "GET", urls[(n // len(rotation)) % len(urls)], args.timeout)
        n += 1


async def writer(i: int, session, args, target: Target, resident: Resident, rec: Recorder, deadline: float) -> None:
    rng = random.Random(i)
    supported = await supported_ids(session, args, target, resident)
    base = args.urls[i % len(args.urls)]
    for n in range(args.max_requests):
        if time.monotonic() >= deadline:
            return
        op = rng.choices(("support", "unsupport", "comment"), weights=(2, 2, 1))[0]
        if op == "unsupport" and supported:
            pid = rng.choice(sorted(supported))
        else:
            pid = rng.choice(target.proposal_ids)
        headers = resident.headers(base)
        if args.write_via == "api":
            url = f"{base}/api/v1/proposals/{pid}/" + ("comments" if op == "comment" else "support")
            method = {"support": "POST", "unsupport": "DELETE", "comment": "POST"}[op]
            payload = {"body": f"負荷試験のコメントです（{resident.email} の {n} 件目）。", "stance": "for"} if op == "comment" else {}
            status, _, response = await timed(rec, op, session, method, url, args.timeout, headers=headers,
                                              json=payload)
        else:
            url = f"{base}/proposals/{pid}/" + ("comment/" if op == "comment" else "support/")
            form = {"csrfmiddlewaretoken": resident.cookies.get("csrftoken", "")}
            if op == "unsupport":
                form["action"] = "remove"
            if op == "comment":
                form.update(body=f"負荷試験のコメントです（{resident.email} の {n} 件目）。", stance="for")
            status, _, response = await timed(rec, op, session, "POST", url, args.timeout, headers=headers, data=form)
        resident.absorb(response)
        if op == "support" and status in ("201", "409", "302"):
            supported.add(pid)
        elif op == "unsupport" and status in ("200", "409", "302"):
            supported.discard(pid)


def new_session(limit: int) -> aiohttp.ClientSession:
    # Cookies are handled per resident (Resident.absorb): one connection pool serves many users, and
    # aiohttp's jar would refuse cookies from an IP address anyway.
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=limit, force_close=False),
                                 cookie_jar=aiohttp.DummyCookieJar())


# --- Scenarios -------------------------------------------------------------------------------


async def run_http_scenario(name: str, args, target: Target, residents: list[Resident], readers: int,
                            writers: int) -> None:
    print(f"\n== {name}: {readers} readers, {writers} writers, {args.duration:g} s, {', '.join(args.urls)}, consultation "
          f"{target.consultation_id} ({len(target.proposal_ids)} proposals); writes via {args.write_via}")
    rec = Recorder()
    monitor = PgMonitor(args.pg_dsn, args.pg_interval)
    await monitor.open()
    stop = asyncio.Event()
    sampler = asyncio.create_task(monitor.run(stop, args.duration + args.drain + args.health_timeout + 60))
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    async with new_session(readers + 1) as read_session, new_session(writers + 1) as write_session:
        start = time.monotonic()
        deadline = start + args.duration
        tasks = [asyncio.create_task(reader(i, read_session, args, target, rec, deadline)) for i in range(readers)]
        tasks += [asyncio.create_task(writer(i, write_session, args, target, residents[i], rec, deadline))
                  for i in range(writers)]
        done, pending = await asyncio.wait(tasks, timeout=args.duration + args.drain)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        stopped = time.monotonic()
        for task in done:
            if task.exception() is not None:
                print(f"  a client failed: {type(task.exception()).__name__}: {task.exception()}")
        healthy = await time_to_healthy(read_session, args, target)
    stop.set()
    await sampler
    after = await monitor.now()
    await monitor.close()
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    seconds = stopped - start
    print(f"  {seconds:.1f} s of load (clients still waiting at the deadline got {args.drain:g} s, "
          f"{len(pending)} cancelled); load generator CPU {cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime:.1f} s")
    expected = {"200", "201", "302", "403", "409"} if writers else {"200"}
    rec.report(seconds, expected)
    monitor.report(after)
    print_healthy(healthy, target)
    reconcile(args)


async def time_to_healthy(session, args, target: Target) -> float | None:
    """Seconds until every process (--url, --also-url) answers 200 on the health path."""
    start = time.monotonic()
    waiting = list(args.urls)
    while time.monotonic() - start < args.health_timeout:
        answers = await asyncio.gather(*(timed(None, "", session, "GET", base + target.health_path, 5)
                                         for base in waiting))
        waiting = [base for base, (status, _, _) in zip(waiting, answers, strict=True) if status != "200"]
        if not waiting:
            return time.monotonic() - start
        await asyncio.sleep(0.1)
    return None


def print_healthy(seconds: float | None, target: Target) -> None:
    if seconds is None:
        print(f"  NOT healthy: {target.health_path} did not answer 200 within the --health-timeout")
    else:
        print(f"  healthy again ({target.health_path} 200) {seconds:.2f} s after the load stopped")


def reconcile(args) -> None:
    if args.no_reconcile:
        return
    env = dict(os.environ)
    if args.pg_dsn and "://" in args.pg_dsn:
        env["DATABASE_URL"] = args.pg_dsn
    if not env.get("DATABASE_URL"):
        print("  reconcile_counts --check: skipped (no --pg-dsn or DATABASE_URL: which database does the server use?)")
        return
    command = [sys.executable, str(ROOT / "manage.py"), "reconcile_counts", "--check"]
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, cwd=ROOT)
    except subprocess.TimeoutExpired:
        print("  reconcile_counts --check: did not finish within 600 s")
        return
    lines = (done.stdout + done.stderr).strip().splitlines()
    shown = lines if len(lines) <= 8 else [*lines[:6], f"... {len(lines) - 7} more lines", lines[-1]]
    print(f"  reconcile_counts --check: exit {done.returncode}")
    for line in shown:
        print(f"    {line}")


async def run_websockets(args, target: Target, session) -> None:
    from websockets.asyncio.client import connect

    print(f"\n== websockets: {args.sockets} sockets on /ws/consultations/{target.consultation_id}/, "
          f"{args.ws_rounds} support/unsupport rounds, {', '.join(args.urls)}")
    (resident,) = await login_many(session, args, 1, first=args.ws_user)
    supported = await supported_ids(session, args, target, resident)
    # A proposal this resident supports can always be unsupported then supported again (no per-user limit hit).
    pid = min(supported) if supported else target.proposal_ids[0]
    is_supported = bool(supported)
    monitor = PgMonitor(args.pg_dsn, args.pg_interval)
    await monitor.open()
    stop = asyncio.Event()
    sampler = asyncio.create_task(monitor.run(stop, args.ws_connect_timeout + args.ws_rounds * (args.ws_wait + 5)
                                              + args.health_timeout + 120))
    ws_urls = [f"{'wss' if base.startswith('https') else 'ws'}://{urlsplit(base).netloc}"
               f"/ws/consultations/{target.consultation_id}/" for base in args.urls]
    inboxes: list[list[tuple[float, str]]] = []
    sockets = []
    readers = []
    connect_ms: list[float] = []
    failures: Counter = Counter()
    gate = asyncio.Semaphore(args.ws_connect_concurrency)
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)

    async def listen(ws, inbox) -> None:
        try:
            async for message in ws:
                inbox.append((time.perf_counter(), message))
        except Exception:  # noqa: BLE001 - a closed socket simply stops receiving
            return

    async def open_one(k: int) -> None:
        async with gate:
            start = time.perf_counter()
            try:
                ws = await connect(ws_urls[k % len(ws_urls)], origin=target.base, open_timeout=args.timeout, ping_interval=None,
                                   close_timeout=2, max_size=2**20)
                await asyncio.wait_for(ws.recv(), timeout=args.timeout)  # the counts sent on connect
            except Exception as exc:  # noqa: BLE001
                failures[type(exc).__name__] += 1
                return
            connect_ms.append((time.perf_counter() - start) * 1000)
            inbox: list[tuple[float, str]] = []
            sockets.append(ws)
            inboxes.append(inbox)
            readers.append(asyncio.create_task(listen(ws, inbox)))

    start = time.monotonic()
    opening = [asyncio.create_task(open_one(k)) for k in range(args.sockets)]
    done, pending = await asyncio.wait(opening, timeout=args.ws_connect_timeout)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    failures["not opened in time"] += len(pending)
    connect_ms.sort()
    print(f"  {len(sockets)} of {args.sockets} sockets open with their first counts in "
          f"{time.monotonic() - start:.1f} s; connect+first message p50 {percentile(connect_ms, 50):.0f} ms, "
          f"p95 {percentile(connect_ms, 95):.0f} ms; failed: {format_counter(+failures)}")
    rec = Recorder()
    from_answer: list[float] = []
    from_send: list[float] = []
    for round_no in range(1, args.ws_rounds + 1):
        marks = [len(inbox) for inbox in inboxes]
        op = "unsupport" if is_supported else "support"
        url = f"{args.url}/api/v1/proposals/{pid}/support"
        sent = time.perf_counter()
        status, body, response = await timed(rec, op, session, "DELETE" if is_supported else "POST", url,
                                             args.timeout, headers=resident.headers(args.url), json={})
        answered = time.perf_counter()
        resident.absorb(response)
        if status not in ("200", "201"):
            print(f"  round {round_no}: {op} answered {status}: {body[:200].decode('utf-8', 'replace')}")
            break
        is_supported = not is_supported
        expected = json.loads(body)["supports"]
        arrivals: list[float | None] = [None] * len(inboxes)
        wait_until = time.monotonic() + args.ws_wait
        while time.monotonic() < wait_until:
            for k, inbox in enumerate(inboxes):
                if arrivals[k] is None:
                    arrivals[k] = first_match(inbox, marks[k], pid, expected)
            if all(a is not None for a in arrivals):
                break
            await asyncio.sleep(0.02)
        got = [a for a in arrivals if a is not None]
        round_answer = sorted((a - answered) * 1000 for a in got)
        round_send = sorted((a - sent) * 1000 for a in got)
        from_answer += round_answer
        from_send += round_send
        print(f"  round {round_no}: {op} of proposal {pid} answered {status} in {(answered - sent) * 1000:.0f} ms "
              f"(supports now {expected}); {len(got)} of {len(inboxes)} sockets got the new count; from the answer "
              f"p50 {percentile(round_answer, 50):.0f} ms, p95 {percentile(round_answer, 95):.0f} ms, "
              f"max {round_answer[-1] if round_answer else float('nan'):.0f} ms; from sending p50 "
              f"{percentile(round_send, 50):.0f} ms, p95 {percentile(round_send, 95):.0f} ms")
        if len(got) < len(inboxes):
            print(f"    sockets without it: {missed_summary(sockets, inboxes, arrivals, marks)}")
        await asyncio.sleep(1)
    stopped = time.monotonic()
    await asyncio.wait([asyncio.create_task(close_quietly(ws)) for ws in sockets] or [asyncio.sleep(0)], timeout=30)
    for task in readers:
        task.cancel()
    await asyncio.gather(*readers, return_exceptions=True)
    healthy = await time_to_healthy(session, args, target)
    stop.set()
    await sampler
    after = await monitor.now()
    await monitor.close()
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    from_answer.sort()
    from_send.sort()
    deliveries = len(inboxes) * args.ws_rounds
    print(f"  all rounds: {len(from_answer)} of {deliveries} expected deliveries; from the support's answer "
          f"p50 {percentile(from_answer, 50):.0f} ms, p95 {percentile(from_answer, 95):.0f} ms, p99 "
          f"{percentile(from_answer, 99):.0f} ms; from sending it p50 {percentile(from_send, 50):.0f} ms, "
          f"p95 {percentile(from_send, 95):.0f} ms (negative: the message came before the HTTP answer)")
    print(f"  {stopped - start:.1f} s with sockets open; load generator CPU "
          f"{cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime:.1f} s")
    rec.report(max(stopped - start, 1e-9), {"200", "201"})
    monitor.report(after)
    print_healthy(healthy, target)
    reconcile(args)


async def close_quietly(ws) -> None:
    with contextlib.suppress(Exception):
        await ws.close()


def missed_summary(sockets, inboxes, arrivals, marks) -> str:
    """Why sockets missed the message: closed by the server (close code), or open and silent."""
    reasons: Counter = Counter()
    for ws, inbox, arrival, mark in zip(sockets, inboxes, arrivals, marks, strict=True):
        if arrival is not None:
            continue
        if ws.close_code is not None:
            reasons[f"closed (code {ws.close_code})"] += 1
        elif len(inbox) > mark:
            reasons["open, got other messages only"] += 1
        else:
            reasons["open, nothing received"] += 1
    return format_counter(reasons)


def first_match(inbox: list[tuple[float, str]], mark: int, pid: int, supports: int) -> float | None:
    """When the socket got {"type": "proposal", "id": pid, "supports": <the answer's count>} after mark."""
    for received, message in inbox[mark:]:
        try:
            data = json.loads(message)
        except ValueError:
            continue
        if data.get("type") == "proposal" and data.get("id") == pid and data.get("supports") == supports:
            return received
    return None


# --- Main ------------------------------------------------------------------------------------


async def main_async(args) -> None:
    print(f"bench/load.py at {time.strftime('%Y-%m-%d %H:%M:%S %Z')}: {' '.join(args.scenarios)} against {', '.join(args.urls)}")
    async with new_session(8) as session:
        target = await discover(session, args)
        print(f"consultation {target.consultation_id} 「{target.consultation_title}」 {target.page_url}, "
              f"{len(target.proposal_ids)} proposals; health probe {target.health_path}")
        residents: list[Resident] = []
        if any(s in ("writers", "mixed") for s in args.scenarios) and args.writers:
            residents = await login_many(session, args, args.writers)
        for number, scenario in enumerate(args.scenarios):
            if number:
                await asyncio.sleep(args.pause)
            if scenario == "readers":
                await run_http_scenario("readers", args, target, [], args.readers, 0)
            elif scenario == "writers":
                await run_http_scenario("writers", args, target, residents, 0, args.writers)
            elif scenario == "mixed":
                await run_http_scenario("mixed", args, target, residents, args.readers, args.writers)
            elif scenario == "websockets":
                await run_websockets(args, target, session)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8091", help="the running instance (127.0.0.1/localhost only)")
    parser.add_argument("--also-url", action="append", default=[],
                        help="another process of the same instance (no proxy in front): clients and sockets are "
                             "spread over --url and these; the websockets run's support goes to --url")
    parser.add_argument("--scenario", action="append", default=[],
                        help=f"{', '.join(SCENARIOS)} or all; repeat or separate with commas (default: readers)")
    parser.add_argument("--duration", type=float, default=60, help="seconds of load per HTTP scenario")
    parser.add_argument("--readers", type=int, default=200)
    parser.add_argument("--writers", type=int, default=20)
    parser.add_argument("--sockets", type=int, default=500)
    parser.add_argument("--consultation", type=int, help="consultation page id (default: open for supports, most proposals)")
    parser.add_argument("--password", default=os.environ.get("LOAD_DEMO_PASSWORD"),
                        help="the demo residents' password (seed_demo --password ...)")
    parser.add_argument("--email-pattern", default="resident{n}@example.jp", help="demo resident n's login email")
    parser.add_argument("--demo-users", type=int, default=20, help="residents 1..N exist; more writers reuse them")
    parser.add_argument("--write-via", choices=("api", "form"), default="api")
    parser.add_argument("--ws-user", type=int, default=20, help="the resident who supports in the websockets run")
    parser.add_argument("--ws-rounds", type=int, default=3)
    parser.add_argument("--ws-wait", type=float, default=10, help="seconds to wait for the message each round")
    parser.add_argument("--ws-connect-timeout", type=float, default=120, help="seconds to open all sockets")
    parser.add_argument("--ws-connect-concurrency", type=int, default=50)
    parser.add_argument("--pg-dsn", default=os.environ.get("DATABASE_URL") or None,
                        help="the server's PostgreSQL database, sampled in pg_stat_activity (default $DATABASE_URL)")
    parser.add_argument("--pg-interval", type=float, default=0.2)
    parser.add_argument("--timeout", type=float, default=30, help="seconds before one request counts as 'timeout'")
    parser.add_argument("--drain", type=float, default=10, help="seconds requests in flight at the deadline may finish")
    parser.add_argument("--max-requests", type=int, default=100_000, help="requests per client at most")
    parser.add_argument("--health-timeout", type=float, default=120)
    parser.add_argument("--login-timeout", type=float, default=120, help="seconds to log one resident in (429: retry)")
    parser.add_argument("--pause", type=float, default=5, help="seconds between scenarios")
    parser.add_argument("--no-reconcile", action="store_true", help="skip manage.py reconcile_counts --check")
    args = parser.parse_args(argv)
    args.url = check_local_url(args.url)
    args.urls = [args.url, *(check_local_url(url) for url in args.also_url)]
    if args.pg_dsn and args.pg_dsn.startswith("sqlite"):
        args.pg_dsn = None
    if args.pg_dsn:
        args.pg_dsn = check_local_dsn(args.pg_dsn.replace("postgresql+psycopg://", "postgresql://"))
    chosen = [s.strip() for item in (args.scenario or ["readers"]) for s in item.split(",") if s.strip()]
    if "all" in chosen:
        chosen = list(SCENARIOS)
    unknown = sorted(set(chosen) - set(SCENARIOS))
    if unknown:
        parser.error(f"unknown scenario(s) {', '.join(unknown)}; choose from {', '.join(SCENARIOS)}, all")
    args.scenarios = chosen
    for name in ("duration", "timeout", "health_timeout", "ws_wait", "ws_connect_timeout"):
        if getattr(args, name) <= 0:
            parser.error(f"--{name.replace('_', '-')} must be positive")
    if min(args.readers, args.writers, args.sockets, args.max_requests) < 0 or args.ws_connect_concurrency < 1:
        parser.error("counts must not be negative")
    return args


def main(argv=None) -> None:
    sys.stdout.reconfigure(line_buffering=True)
    args = parse_args(argv)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard if hard != resource.RLIM_INFINITY else 65536, hard))
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
