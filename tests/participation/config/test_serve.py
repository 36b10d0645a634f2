"""bin/serve: N uvicorn worker processes on one port; a change reaches sockets on every one through Redis."""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
import urllib.request

import pytest
from django.conf import settings

from proposals import services
from tests.conftest import _free_port, requires_postgres, requires_redis, subprocess_env
from tests.proposals.factories import make_proposal

SERVE = str(settings.BASE_DIR / "bin" / "serve")


@pytest.mark.parametrize("args, env, message", [
    (["--workers", "two"], {}, "whole number"),
    (["--workers", "0"], {}, "whole number"),
    (["--bogus"], {}, "unknown option"),
    (["--workers", "2"], {"REDIS_URL": ""}, "needs REDIS_URL"),
])
def test_serve_refuses_bad_arguments(args, env, message):
    result = subprocess.run([SERVE, *args], capture_output=True, text=True, timeout=30,
                            env={**subprocess_env(), **env}, cwd=settings.BASE_DIR)
    assert result.returncode == 2 and message in result.stderr


@requires_postgres
@requires_redis
@pytest.mark.django_db(transaction=True)
def test_two_workers_share_one_port_and_every_socket_hears_a_change(open_consultation, resident, other_resident):
    import websockets

    port = _free_port()
    env = subprocess_env(REDIS_URL=settings.REDIS_URL, PORT=str(port), SITE_URL=f"http://127.0.0.1:{port}")
    server = subprocess.Popen([SERVE, "--workers", "2", "--no-task-workers"], cwd=settings.BASE_DIR, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(url + "/readyz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("bin/serve --workers 2 did not get ready")
        p = make_proposal(open_consultation, resident)

        async def run():
            ws_url = url.replace("http", "ws") + f"/ws/consultations/{open_consultation.pk}/"
            sockets = [await websockets.connect(ws_url, additional_headers={"Origin": url}) for _ in range(12)]
            try:
                for ws in sockets:
                    assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "counts"
                await asyncio.to_thread(services.support_add, proposal=p, user=other_resident)
                for ws in sockets:
                    message = json.loads(await asyncio.wait_for(ws.recv(), 10))
                    assert message == {"type": "proposal", "id": p.pk, "supports": 1, "comments": 0}
            finally:
                for ws in sockets:
                    await ws.close()

        asyncio.run(run())
    finally:
        import os
        import signal

        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
