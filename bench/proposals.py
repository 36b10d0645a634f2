"""Benchmark: the consultation page and the proposals list API at N proposals (prints, never asserts).

    .venv/bin/python bench/proposals.py                 # N = 1,000, 10,000 and 100,000 on a scratch SQLite file
    .venv/bin/python bench/proposals.py 1000 --explain  # any sizes; query plans after each
    createdb -h 127.0.0.1 -U postgres bench_proposals   # a scratch database, never the real one
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_proposals .venv/bin/python bench/proposals.py
                                                        # PostgreSQL (+ supports/s, 20 clients)

Each N gets N proposals, N comments and N supports (bulk_create; 100,000 seed in about 2 minutes here). For
the page and the API it prints p50/p95 server time over --requests requests and the number of SQL
queries per request.
Anchor: Decidim needed 7.2-7.5 s per proposals page at ~900 proposals before decidim/decidim#13701.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(scratch: Path | None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "participation.config.settings")
    os.environ["RATE_LIMITS_ENABLED"] = "0"
    os.environ.setdefault("DEBUG", "1")  # plain static storage; query logging is off outside CaptureQueriesContext
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("BEHIND_PROXY", "0")
    if scratch is not None:
        os.environ["SQLITE_PATH"] = str(scratch)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def clear(consultation) -> None:
    """Drop the previous size's rows with plain DELETEs (no per-row signals: fast at 100,000)."""
    from django.db import connection, transaction

    from proposals.models import Comment, CommentVote, Follow, Proposal, Support

    proposals = Proposal.objects.filter(consultation=consultation)
    with transaction.atomic():
        for qs in (
            Support.objects.filter(consultation=consultation),
            CommentVote.objects.filter(comment__proposal__consultation=consultation),
            Follow.objects.filter(proposal__consultation=consultation),
            Comment.objects.filter(proposal__consultation=consultation),
            proposals,
        ):
            qs._raw_delete(connection.alias)


def seed(n: int, consultation, users, rng) -> dict[str, float]:
    """N proposals, N comments, N supports with bulk inserts; returns seconds per phase."""
    from django.db import connection, transaction

    from proposals.models import Comment, Proposal, Support
    from proposals.tally import counts_reconcile

    phases: dict[str, float] = {}
    t0 = time.perf_counter()
    clear(consultation)
    phases["clear"] = time.perf_counter() - t0
    categories = list(consultation.categories.all())
    topics = ["公園のベンチ", "通学路の安全", "図書館の開館時間", "ごみの分別", "バスの増便", "防災訓練", "保育園"]
    t0 = time.perf_counter()
    with transaction.atomic():
        Proposal.objects.bulk_create([
            Proposal(consultation=consultation, author=users[i % len(users)], title=f"{topics[i % 7]}についての提案 {i}",
                     body=f"{topics[i % 7]}を改善してください。" * (1 + i % 5), category=categories[i % len(categories)])
            for i in range(n)
        ], batch_size=2000)
        ids = list(Proposal.objects.filter(consultation=consultation).values_list("pk", flat=True))
        Comment.objects.bulk_create([
            Comment(proposal_id=ids[rng.randrange(len(ids))], author=users[i % len(users)], body="賛成です。", stance="for")
            for i in range(n)
        ], batch_size=2000)
        seen = set()
        supports = []
        while len(supports) < n:
            pair = (ids[rng.randrange(len(ids))], rng.randrange(len(users)))
            if pair not in seen:
                seen.add(pair)
                supports.append(Support(proposal_id=pair[0], user=users[pair[1]], consultation=consultation))
        Support.objects.bulk_create(supports, batch_size=2000)
    phases["insert"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    counts_reconcile(fix=True)  # sets the per-proposal counters and the consultation totals from COUNT(*)
    phases["reconcile"] = time.perf_counter() - t0
    if connection.vendor == "postgresql":
        t0 = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # visibility map for index-only scans, fresh statistics
        phases["vacuum analyze"] = time.perf_counter() - t0
    return phases


def explain(consultation, q: str) -> None:
    """The plans of the page's list, count and search queries (EXPLAIN ANALYZE on PostgreSQL)."""
    from django.db import connection

    from proposals import selectors

    for label, filters in (("newest", selectors.ProposalFilters()),
                           ("most supported", selectors.ProposalFilters(sort="supported")),
                           (f"search {q}", selectors.ProposalFilters(q=q))):
        qs = selectors.proposal_list(consultation_id=consultation.pk, filters=filters)
        queries = [("page", qs[:20])]
        if not filters.is_unfiltered:
            queries.append(("bounded count", qs.order_by().values("pk")[: selectors.COUNT_BOUND + 1]))
        for kind, query in queries:
            sql, params = query.query.sql_with_params()
            prefix = "EXPLAIN (ANALYZE, COSTS OFF, BUFFERS OFF) " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
            if kind == "bounded count":
                sql = f"SELECT COUNT(*) FROM ({sql}) AS counted"
            with connection.cursor() as cursor:
                cursor.execute(prefix + sql, params)
                rows = cursor.fetchall()
            print(f"  plan: {label}, {kind}")
            for row in rows:
                print("    " + (row[0] if connection.vendor == "postgresql" else str(row[-1])))


def measure(client, url: str, requests: int) -> tuple[float, float, int]:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    reset_queries()  # the log is a bounded deque; start empty so the slice below is right
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], len(ctx.captured_queries)


def supports_per_second(consultation, users) -> float:
    from django.db import connection

    from proposals import services, tally
    from proposals.models import Proposal, Support

    Support.objects.filter(consultation=consultation).delete()
    Proposal.objects.filter(consultation=consultation).update(support_count=0)
    tally.tally_recompute(consultation.pk)
    ids = list(Proposal.objects.filter(consultation=consultation).values_list("pk", flat=True)[:200])
    done = []
    barrier = threading.Barrier(20)

    def client(user):
        try:
            barrier.wait()
            for pid in ids[:50]:
                services.support_add(proposal=Proposal(pk=pid), user=user)
                done.append(1)
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(u,)) for u in users[:20]]
    start = time.perf_counter()
    [t.start() for t in threads]
    [t.join() for t in threads]
    rate = len(done) / (time.perf_counter() - start)
    from django.db.models import Count, Sum

    from proposals.selectors import consultation_counts

    shown = consultation_counts(consultation_id=consultation.pk)
    actual = Proposal.objects.visible().filter(consultation=consultation).aggregate(
        n=Count("pk"), s=Sum("support_count"))
    print(f"after the storm: {Support.objects.filter(consultation=consultation).count()} support rows; "
          f"page total {shown['supports']} (sum of counters {actual['s']}), proposals {shown['proposals']} "
          f"(COUNT {actual['n']})")
    return rate


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000, 100000])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--explain", action="store_true", help="print the query plans after each size")
    args = parser.parse_args()
    scratch = None
    url = os.environ.get("DATABASE_URL", "")
    if url and url.rstrip("/").rsplit("/", 1)[-1] in ("civic", "postgres"):
        parser.error("use a scratch database (the benchmark deletes and inserts rows), e.g. .../bench_proposals")
    if not url:
        scratch = Path(tempfile.mkdtemp(prefix="bench-proposals-")) / "bench.sqlite3"
    setup_django(scratch)
    import io
    import random

    from django.conf import settings
    from django.test import Client

    from cms.demo import demo_consultations, seed_pages
    from participation.models import User

    seed_pages(stdout=io.StringIO())
    consultation = demo_consultations()[0]
    consultation.supports_per_user = 0
    consultation.save()
    users = []
    for i in range(40):
        users.append(User.objects.get_or_create(username=f"bench{i}", defaults={"display_name": f"bench{i}",
                                                                              "email": f"bench{i}@example.jp"})[0])
    rng = random.Random(42)
    engine = "PostgreSQL" if settings.USING_POSTGRES else "SQLite (scratch file)"
    print(f"database: {engine}; {args.requests} requests per figure; times are server time through django.test.Client")
    print(f"{'N':>8} {'surface':<34} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    client = Client()
    client.get(consultation.url + "?sort=random")  # the visitor seed lives in the session: every figure has it
    api = f"/api/v1/consultations/{consultation.pk}/proposals"
    for n in args.sizes:
        t0 = time.perf_counter()
        phases = seed(n, consultation, users, rng)
        seeded = time.perf_counter() - t0
        surfaces = [
            ("page, newest", consultation.url),
            ("page, most supported", consultation.url + "?sort=supported"),
            ("page, search 図書館", consultation.url + "?q=図書館"),
            ("page, category + page 3", consultation.url + f"?category={consultation.categories.first().slug}&page=3"),
            ("page, random (seeded)", consultation.url + "?sort=random"),
            ("API list, newest", api),
            ("API list, most commented", api + "?sort=commented"),
            ("API list, search 図書館", api + "?q=図書館"),
        ]
        for label, url in surfaces:
            p50, p95, queries = measure(client, url, args.requests)
            print(f"{n:>8} {label:<34} {p50:>8.1f} {p95:>8.1f} {queries:>8}")
        print(f"{n:>8} (seeded in {seeded:.1f} s: " + ", ".join(f"{k} {v:.1f} s" for k, v in phases.items()) + ")")
        if args.explain:
            explain(consultation, "図書館")
    if settings.USING_POSTGRES:
        print(f"supports/s with 20 concurrent clients (service layer, row lock per user): "
              f"{supports_per_second(consultation, users):.0f}")
    else:
        print("supports/s: run with DATABASE_URL=postgres://... to measure 20 concurrent clients")


if __name__ == "__main__":
    main()
