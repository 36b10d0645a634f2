"""CI's two passes (.ci/run): the second, against PostgreSQL and Redis, runs every test that touches a service and
leaves out those that touch none; the first leaves the browser to the second when told (BROWSER_TESTS=later)."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings

SAMPLE = [
    "tests/ml/test_text.py",  # pure functions: no service
    "tests/proposals/test_races.py",  # the database (PostgreSQL races)
    "tests/participation/core/test_freshness.py",  # the cache
    "tests/proposals/test_consumers.py",  # the channel layer and a server process
    "tests/e2e/test_proposals_live.py",  # the browser
]


def collect(*args: str, **env: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:xdist", *args, *SAMPLE],
        cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=300, env={**os.environ, **env},
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return [line for line in result.stdout.splitlines() if "::" in line]


def test_the_second_pass_leaves_out_only_what_touches_no_service():
    everything = collect()
    second = collect("--services-only")
    left_out = {node.split("::")[0] for node in set(everything) - set(second)}
    assert left_out == {"tests/ml/test_text.py"}
    assert {node.split("::")[0] for node in second} == set(SAMPLE) - left_out


def test_browser_tests_can_wait_for_the_second_pass():
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'participation.config.test_settings');"
        "django.setup(); import tests.conftest as c; print(c.HAS_CHROMIUM); print(c.NO_CHROMIUM)"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=120,
        env={**os.environ, "BROWSER_TESTS": "later"},
    )
    assert run.returncode == 0, run.stderr[-2000:]
    has_chromium, reason = run.stdout.splitlines()[-2:]
    assert has_chromium == "False"
    assert "second pass" in reason
