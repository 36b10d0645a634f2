"""Benchmark: flags, the moderation queue, the council dashboard and open-data CSV (prints, never asserts).

    .venv/bin/python bench/moderation.py                # N = 1,000 and 10,000 flagged comments, scratch SQLite
    .venv/bin/python bench/moderation.py 100000         # any sizes
    DATABASE_URL=postgres://... .venv/bin/python bench/moderation.py

Each N gets N comments (bulk_create) of which every one carries two open flags, plus one more
resident. Printed per N: flag_create per second (the service, one thread, with the row lock and the
threshold check), queue page p50/p95 and SQL queries, the dashboard p50 and queries, and the time to
stream /open-data/comments.csv.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(scratch: Path | None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "participation.config.settings")
    os.environ["RATE_LIMITS_ENABLED"] = "0"
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("BEHIND_PROXY", "0")
    os.environ.setdefault("EMAIL_URL", "locmem://")
    if scratch is not None:
        os.environ["SQLITE_PATH"] = str(scratch)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def users(n: int):
    from django.contrib.auth.hashers import make_password

    from participation.models import User

    password = make_password("bench-pass-2026")
    existing = set(User.objects.filter(username__startswith="bench").values_list("username", flat=True))
    User.objects.bulk_create([
        User(username=f"bench{i}", email=f"bench{i}@example.jp", display_name=f"住民{i}", password=password)
        for i in range(n) if f"bench{i}" not in existing
    ])
    return list(User.objects.filter(username__startswith="bench").order_by("pk")[:n])


def seed(n: int, consultation, people) -> list[int]:
    from django.db import transaction

    from participation.models import Flag
    from proposals.models import Comment, Proposal

    Flag.objects.all().delete()
    Comment.objects.filter(proposal__consultation=consultation).delete()
    Proposal.objects.filter(consultation=consultation).delete()
    with transaction.atomic():
        proposals = Proposal.objects.bulk_create([
            Proposal(consultation=consultation, author=people[i % 50], title=f"提案 {i}", body="公園を良くしたい。")
            for i in range(max(n // 20, 1))
        ])
        comments = Comment.objects.bulk_create([
            Comment(proposal=proposals[i % len(proposals)], author=people[i % 50], body=f"コメント {i} =cmd|' /c calc'!A1",
                    depth=1)
            for i in range(n)
        ], batch_size=2000)
        ids = [c.pk for c in comments] if comments[0].pk else list(
            Comment.objects.filter(proposal__consultation=consultation).values_list("pk", flat=True))
        Flag.objects.bulk_create([
            Flag(user=people[50 + (j % 2)], kind="comment", object_id=cid, reason="spam", details="<b>宣伝</b>")
            for cid in ids for j in range(2)
        ], batch_size=5000)
    return ids


def timed(client, url, repeat: int) -> tuple[float, float, int]:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    times, queries = [], 0
    for _ in range(repeat):
        reset_queries()
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(url)
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
            times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(ctx.captured_queries)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))], queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000])
    parser.add_argument("--requests", type=int, default=10)
    parser.add_argument("--flags", type=int, default=200, help="flag_create calls to time")
    args = parser.parse_args()
    scratch = None
    if not os.environ.get("DATABASE_URL"):
        scratch = Path(tempfile.mkdtemp()) / "bench-moderation.sqlite3"
    setup_django(scratch)
    import io

    from django.conf import settings
    from django.test import Client

    from cms.demo import demo_consultations, seed_pages
    from participation.core.predicates import COUNCIL, MODERATOR, RESIDENT
    from participation.moderation import services as moderation
    from tests.conftest import make_user

    settings.ALLOWED_HOSTS = ["*"]
    settings.FLAG_HIDE_THRESHOLD = 3
    seed_pages(stdout=io.StringIO())
    consultation = demo_consultations()[0]
    people = users(60 + args.flags)
    from participation.models import User

    mod = User.objects.filter(username="bench-mod").first() or make_user("bench-mod", RESIDENT, MODERATOR)
    council = User.objects.filter(username="bench-council").first() or make_user("bench-council", RESIDENT, COUNCIL)
    mod_client, council_client, anonymous = Client(), Client(), Client()
    mod_client.force_login(mod)
    council_client.force_login(council)
    print(f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}, requests per figure: {args.requests}")
    for n in args.sizes:
        start = time.perf_counter()
        ids = seed(n, consultation, people)
        print(f"\nN = {n:,} flagged comments ({2 * n:,} open flags), seeded in {time.perf_counter() - start:.1f} s")
        flaggers = people[60:60 + args.flags]
        start = time.perf_counter()
        for i, flagger in enumerate(flaggers):
            moderation.flag_create(user=flagger, kind="comment", object_id=ids[i % len(ids)], reason="offensive")
        elapsed = time.perf_counter() - start
        print(f"  flag_create: {len(flaggers) / elapsed:,.0f} flags/s (one thread; the 3rd flag hides and notifies)")
        for label, client, url in (
            ("queue page 1", mod_client, "/moderation/"),
            ("queue last page", mod_client, f"/moderation/?page={max(n // 25, 1)}"),
            ("queue by consultation", mod_client, f"/moderation/?consultation={consultation.pk}"),
            ("dashboard (30 days)", council_client, "/dashboard/"),
            ("open data comments.csv", anonymous, "/open-data/comments.csv"),
        ):
            p50, p95, queries = timed(client, url, args.requests if "csv" not in url else max(args.requests // 5, 1))
            print(f"  {label:<24} p50 {p50 * 1000:8.1f} ms   p95 {p95 * 1000:8.1f} ms   {queries:3d} queries")


if __name__ == "__main__":
    main()
