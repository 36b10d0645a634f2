"""Settings for the test suite and for the servers and workers that tests start (``DJANGO_SETTINGS_MODULE``).

Production settings (``settings.py``) carry no test branches: everything tests need differently is here.
"""

import os

from participation.config.env import env_bool, env_int, env_str
from participation.config.settings import *  # noqa: F403
from participation.config.settings import ACCOUNT_RATE_LIMITS, CACHES, CHANNEL_LAYERS, LOGGING, STATIC_ROOT, TASKS

# Tasks run inline (in the test's own process) unless a test starts a real worker: cached reads are safe then.
FRESHNESS_CACHE = env_bool("FRESHNESS_CACHE", default=env_bool("TASKS_IMMEDIATE", default=True) or bool(REDIS_URL))  # noqa: F405
# Whole-page caching is off in tests that build data with the ORM behind the services' back; the tests of the
# page cache turn it on (tests/participation/core/test_pagecache.py).
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 0)

# Tasks run inline unless a test starts a real worker (which sets TASKS_IMMEDIATE=0).
TASKS["default"]["BACKEND"] = (
    "django_tasks.backends.immediate.ImmediateBackend"
    if env_bool("TASKS_IMMEDIATE", default=True)
    else "django_tasks_db.backend.DatabaseBackend"
)
# Tests create hundreds of users: the production hasher (PBKDF2, about 0.5 s a password on these cores)
# took minutes of every suite run. Servers started by tests read the same hashes.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ACCOUNT_RATE_LIMITS = {**ACCOUNT_RATE_LIMITS, "signup": "200/m/ip"}
# Static files straight from the source folders, whatever DEBUG says.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# The honeypot is always on; the minimum fill time only where a test asks for it.
FORM_MIN_FILL_SECONDS = env_int("FORM_MIN_FILL_SECONDS", 0)
LOGGING = {**LOGGING, "root": {**LOGGING["root"], "level": env_str("LOG_LEVEL", "WARNING")}}

# Parallel test workers (pytest-xdist, PYTEST_XDIST_WORKER) share one Redis: each keeps its own cache keys and
# channel groups, so a broadcast in one worker's test never reaches another's sockets. Servers that tests start
# inherit the variable.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if _WORKER:
    CACHES["default"]["KEY_PREFIX"] = f"test-{_WORKER}"
    if CHANNEL_LAYERS["default"]["BACKEND"].startswith("channels_redis"):
        CHANNEL_LAYERS["default"].setdefault("CONFIG", {})["prefix"] = f"asgi-{_WORKER}"
