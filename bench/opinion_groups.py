"""Benchmark of vote-based opinion groups: prints figures, never asserts.

    python bench/opinion_groups.py                          # 500, 5,000 and 20,000 voters
    python bench/opinion_groups.py --voters 5000 --statements 300

A generated conversation: three camps of voters, each voter votes on about 25 of the statements (agree
with their camp's statements, disagree with the others', 10% passes and 10% noise) at random times over
30 days. For each size: one Polis update over all the votes (``opinion_groups``, the default; with and
without the votes' times, which it does not need), and the replay of the history as Polis's updates while the
votes arrived (``history=True``, ml/polis_history.py): CPU and
wall seconds, the number of updates, peak memory (max RSS of a fresh child process) and the ARI of the
groups against the camps.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def conversation(voters: int, statements: int, seed: int = 0):
    import numpy as np

    rng = np.random.default_rng(seed)
    camp_of_statement = rng.integers(0, 3, statements)
    start = 1_760_000_000.0
    votes, camps = [], {}
    for voter in range(voters):
        camp = int(rng.integers(0, 3))
        camps[f"v{voter}"] = camp
        arrival = start + rng.random() * 30 * 86400
        chosen = rng.choice(statements, size=min(statements, int(rng.poisson(25)) + 1), replace=False)
        for order, statement in enumerate(chosen):
            roll = rng.random()
            vote = 0 if roll < 0.1 else (1 if camp_of_statement[statement] == camp else -1)
            if 0.1 <= roll < 0.2:
                vote = -vote
            votes.append((f"v{voter}", f"s{statement}", vote, arrival + 20 * order))
    return votes, camps


def child(voters: int, statements: int, mode: str) -> None:
    from sklearn.metrics import adjusted_rand_score

    from ml.opinion_groups import opinion_groups

    votes, camps = conversation(voters, statements)
    if mode == "untimed":
        votes = [vote[:3] for vote in votes]
    cpu, wall = time.process_time(), time.perf_counter()
    result = opinion_groups(votes, history=mode == "replayed")
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    found = {member: group["id"] for group in result["groups"] for member in group["members"]}
    ari = adjusted_rand_score([camps[p] for p in found], [found[p] for p in found])
    history = result["params"]["history"] or {}
    print(
        json.dumps(
            {
                "votes": len(votes),
                "cpu_s": round(cpu, 2),
                "wall_s": round(wall, 2),
                "updates": history.get("updates", 1),
                "groups": len(result["groups"]),
                "grouped": len(found),
                "ari": round(ari, 3),
                "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--voters", default="500,5000,20000")
    parser.add_argument("--statements", type=int, default=200)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(int(args.child[0]), int(args.child[1]), args.child[2])
        return
    print(
        "| voters | statements | votes | run | CPU s | wall s | updates | groups | grouped | ARI vs camps | peak RSS MiB |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for voters in [int(v) for v in args.voters.split(",")]:
        for mode in ("timed", "untimed", "replayed"):
            out = subprocess.run(
                [sys.executable, __file__, "--child", str(voters), str(args.statements), mode],
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
            ).stdout
            r = json.loads(out.strip().splitlines()[-1])
            label = {
                "timed": "one update",
                "untimed": "one update, votes without times",
                "replayed": "history replayed",
            }[mode]
            print(
                f"| {voters:,} | {args.statements} | {r['votes']:,} | {label} | {r['cpu_s']} | {r['wall_s']} "
                f"| {r['updates']} | {r['groups']} | {r['grouped']:,} | {r['ari']} | {r['peak_rss_mib']} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
