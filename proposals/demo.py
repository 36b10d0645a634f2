"""Demo proposals, comments, votes and supports for ``seed_demo`` (filled in below)."""

from __future__ import annotations


def seed_proposals(*, stdout, rng=None, **_) -> None:
    stdout.write("proposals: nothing seeded yet")
