"""Shared fixtures. Services (PostgreSQL, Redis, Chromium) are used when present and skipped with a reason otherwise."""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group

from participation.core.predicates import COUNCIL, MODERATOR, RESIDENT, STAFF

CHROMIUM = "/usr/bin/chromium"
HAS_POSTGRES = settings.USING_POSTGRES
HAS_REDIS = bool(settings.REDIS_URL)
# CI drives the browser once, in its second pass against PostgreSQL and Redis: it runs `make test` with
# BROWSER_TESTS=later (.ci/run).
BROWSER_LATER = os.environ.get("BROWSER_TESTS") == "later"
HAS_CHROMIUM = os.path.exists(CHROMIUM) and not BROWSER_LATER
NO_CHROMIUM = (
    "needs Chromium: run in CI's second pass (BROWSER_TESTS=later)" if BROWSER_LATER
    else f"needs Chromium at {CHROMIUM} (apt-get install chromium)"
)

requires_postgres = pytest.mark.skipif(not HAS_POSTGRES, reason="needs DATABASE_URL=postgres://... (run by .ci/run)")
requires_redis = pytest.mark.skipif(not HAS_REDIS, reason="needs REDIS_URL=redis://... (run by .ci/run)")
requires_chromium = pytest.mark.skipif(not HAS_CHROMIUM, reason=NO_CHROMIUM)


@pytest.fixture(scope="session")
def django_db_modify_db_settings():
    """Give every pytest run its own test database so parallel runs never share one."""
    from django.db import connections

    suffix = f"{os.getpid()}"
    for alias in connections:
        db = connections[alias].settings_dict
        test = db.setdefault("TEST", {})
        if db["ENGINE"].endswith("sqlite3"):
            test["NAME"] = str(Path(settings.BASE_DIR) / "var" / f"test-{suffix}.sqlite3")
        else:
            test["NAME"] = f"test_{db['NAME']}_{suffix}"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Build the demo page tree once in the fresh test database: Wagtail page creation (revisions, English
    copies, reference index) takes seconds, and most tests start from it (``demo_pages``). Tests roll back
    to this state; a transactional test's flush removes it, and ``demo_pages`` then builds it again."""
    from cms.demo import seed_pages

    clear_cache()  # a shared Redis keeps an earlier session's entries (ids of rows that are gone now)
    with django_db_blocker.unblock():
        seed_pages(stdout=io.StringIO())
    yield
    with django_db_blocker.unblock():
        close_other_sessions()


def close_other_sessions() -> None:
    """Before the test database is dropped, end the other sessions still connected to it. Connections that
    threads of this process opened (async consumers run database code in a thread pool) are never closed by
    Django, and PostgreSQL refuses to drop a database in use: pytest then warned "database … is being
    accessed by other users" and left the database behind."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )


@pytest.fixture(autouse=True)
def _isolated_media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.RATE_LIMITS_ENABLED = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    yield


def pytest_addoption(parser):
    parser.addoption(
        "--services-only",
        action="store_true",
        help="run only the tests whose outcome can depend on the database, cache, channel layer or browser "
        "(CI's second pass, against PostgreSQL and Redis: the others already ran in `make test`)",
    )


# A test reaches the database only through these (pytest-django refuses it otherwise), and a served site or a
# browser through the rest.
SERVICE_FIXTURES = {
    "db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback", "live_server", "browser",
}
# Words in a test module that show it uses the cache or the channel layer (Redis in the second pass, not the
# in-memory ones), or starts a process, which inherits the environment's services.
SERVICE_WORDS = (
    "django.core.cache", "channel_layer", "CHANNEL_LAYERS", "CACHES", "REDIS_URL", "DATABASE_URL", "subprocess",
)


def uses_services(item, module_words: dict) -> bool:
    """Whether a test's outcome can differ between SQLite / in-memory layers and PostgreSQL / Redis."""
    if item.get_closest_marker("django_db") or SERVICE_FIXTURES & set(getattr(item, "fixturenames", ())):
        return True
    if any(item.get_closest_marker(name) for name in ("postgres", "redis", "browser")):
        return True
    if any("needs" in str(mark.kwargs.get("reason", "")) for mark in item.iter_markers("skipif")):
        return True  # requires_postgres / requires_redis / requires_chromium
    path = str(item.fspath)
    if path not in module_words:
        text = Path(path).read_text(encoding="utf-8")
        module_words[path] = any(word in text for word in SERVICE_WORDS)
    return module_words[path]


def pytest_collection_modifyitems(config, items):
    """Browser tests run last: Playwright's sync API keeps an event loop in the main thread while a
    browser is open, which async tests (consumers) cannot share.

    With ``--services-only`` the tests that touch no service are deselected: they compute the same thing on
    either set of services, and CI ran them once already."""
    if config.getoption("--services-only"):
        module_words: dict = {}
        kept, deselected = [], []
        for item in items:
            (kept if uses_services(item, module_words) else deselected).append(item)
        if deselected:
            config.hook.pytest_deselected(items=deselected)
            items[:] = kept
    items.sort(key=lambda item: "tests/e2e/" in str(item.fspath).replace("\\", "/"))


def clear_cache() -> None:
    """Empty this test process's cache. With Redis and parallel workers (a KEY_PREFIX per worker, see
    test_settings) only this worker's keys go: FLUSHDB would empty another worker's cache in the middle
    of its test."""
    from django.conf import settings
    from django.core.cache import cache

    prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
    if prefix and settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        client = cache._cache.get_client(None, write=True)
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _clear_cache():
    clear_cache()
    yield


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the site's default language (Japanese): a request under /en/ in an earlier test
    leaves English active in this thread, and reverse() would then give /en/ addresses."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


def restore_role_permissions() -> None:
    """Give the staff and moderator groups their admin access again: a transactional test's flush deletes
    what data migrations made, so a later test would meet a staff group without Wagtail admin access."""
    from django.apps import apps

    import_module("cms.migrations.0002_staff_admin_access").grant(apps, None)


def make_user(username: str, *roles: str, **extra):
    from allauth.account.models import EmailAddress

    from participation.models import User

    user = User.objects.create_user(
        username=username, email=f"{username}@example.jp", password="correct-horse-battery",
        display_name=extra.pop("display_name", username), **extra,
    )
    if {STAFF, MODERATOR} & set(roles):
        restore_role_permissions()
    for role in roles or (RESIDENT,):
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def user_factory(db):
    return make_user


@pytest.fixture
def resident(db):
    return make_user("alice", RESIDENT)


@pytest.fixture
def other_resident(db):
    return make_user("bob", RESIDENT)


@pytest.fixture
def moderator(db):
    return make_user("mod", RESIDENT, MODERATOR)


@pytest.fixture
def staff_user(db):
    return make_user("clerk", RESIDENT, STAFF, is_staff=True)


@pytest.fixture
def council_member(db):
    return make_user("councillor", RESIDENT, COUNCIL)


@pytest.fixture
def task_queue(monkeypatch):
    """Tasks go to the database queue (as under `make run`) instead of running inline; see tests/ml/workers.py."""
    from tests.participation.analysis.workers import database_task_queue

    yield from database_task_queue(monkeypatch)


@pytest.fixture
def demo_pages(db):
    """The demo page tree: home, index, three consultations (proposals / support / closed phase), English copies."""
    from cms.demo import demo_consultations, seed_pages

    seed_pages(stdout=io.StringIO())
    return demo_consultations()


@pytest.fixture
def open_consultation(demo_pages):
    """A consultation in its proposals phase (create, comment, support open)."""
    return demo_pages[0]


@pytest.fixture
def support_consultation(demo_pages):
    """A consultation in its support phase (support and comment open, no new proposals)."""
    return demo_pages[1]


@pytest.fixture
def closed_consultation(demo_pages):
    return demo_pages[2]


def chromium_args() -> list[str]:
    return ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="module")
def browser():
    if not HAS_CHROMIUM or shutil.which(CHROMIUM) is None:
        pytest.skip(NO_CHROMIUM)
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=chromium_args())
        yield instance
        instance.close()


@pytest.fixture
def artifacts_dir():
    path = settings.BASE_DIR / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path


@dataclass
class LiveServer:
    url: str
    mail_dir: Path
    process: subprocess.Popen
    log: Path

    def sent_mail(self) -> list[str]:
        return [p.read_text(errors="replace") for p in sorted(self.mail_dir.glob("*.log"), key=os.path.getmtime)]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def subprocess_env(**extra_env: str) -> dict[str, str]:
    """Environment for another process of this project (server, worker) on the test database."""
    from django.db import connection

    db = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SQLITE_PATH", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    if db["ENGINE"].endswith("sqlite3"):
        env["SQLITE_PATH"] = str(db["NAME"])
    else:
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        )
    env.update({
        "DEBUG": "1", "RATE_LIMITS_ENABLED": "0", "MEDIA_ROOT": str(settings.MEDIA_ROOT), "PYTHONUNBUFFERED": "1",
        "DJANGO_SETTINGS_MODULE": "participation.config.test_settings", **extra_env,
    })
    return env


def start_asgi_server(tmp_path: Path, **extra_env: str) -> LiveServer:
    """Run daphne (HTTP + websockets) in a separate process on the test database."""
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir(exist_ok=True)
    port = _free_port()
    env = subprocess_env(EMAIL_URL=f"file://{mail_dir}", SITE_URL=f"http://127.0.0.1:{port}", **extra_env)
    log = tmp_path / f"daphne-{port}.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "participation.config.asgi:application"],
        cwd=settings.BASE_DIR, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"daphne exited: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return LiveServer(url, mail_dir, process, log)
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise RuntimeError(f"daphne did not start: {log.read_text()[-2000:]}")


@dataclass
class LiveWithWorker:
    server: LiveServer
    worker: subprocess.Popen
    worker_log: Path


@pytest.fixture
def live_with_suggestions_worker(transactional_db, tmp_path):
    """As under `make run`: daphne with the database task queue, and `db_worker --queue-name suggestions`."""
    server = start_asgi_server(tmp_path, TASKS_IMMEDIATE="0")
    worker_log = tmp_path / "suggestions-worker.log"
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--queue-name", "suggestions", "--interval", "0.2",
         "--no-startup-delay", "--no-reload"],
        cwd=settings.BASE_DIR, env=subprocess_env(TASKS_IMMEDIATE="0"), stdout=worker_log.open("w"),
        stderr=subprocess.STDOUT,
    )
    yield LiveWithWorker(server, worker, worker_log)
    for process in (worker, server.process):
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def live_asgi(transactional_db, tmp_path):
    """A real ASGI server (daphne) in another process, sharing the test database; data must be committed."""
    server = start_asgi_server(tmp_path)
    yield server
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
