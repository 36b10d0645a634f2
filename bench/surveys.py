"""Benchmark: survey results at 10,000 responses x 20 questions (prints, never asserts).

    .venv/bin/python bench/surveys.py                      # scratch SQLite file, 10,000 responses
    .venv/bin/python bench/surveys.py --responses 1000,10000 --requests 40
    createdb -h 127.0.0.1 -U postgres bench_surveys        # a scratch database, never the real one
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_surveys .venv/bin/python bench/surveys.py

The survey is the demo survey's 12 questions (every type) plus 8 more scale and choice questions.
Responses are seeded with bulk inserts of the same rows the service writes (services.answer_rows).
Printed: p50/p95 of ``selectors.survey_results`` (all answers; filtered by a district), of the staff
results page and of the public results API (server time through the test client), queries per call,
and the seconds of a streamed CSV export of all responses.
"""

from __future__ import annotations

import argparse
import os
import random
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
    if scratch is not None:
        os.environ["SQLITE_PATH"] = str(scratch)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


EXTRA = [
    ("likert", "extra_l{}", 4), ("single_choice", "extra_s{}", 2), ("multiple_choice", "extra_m{}", 1),
    ("number", "extra_n{}", 1),
]


def blocks() -> list[dict]:
    from surveys.demo import questions

    result = questions("ja")
    result.append({"type": "section", "value": {"title": "追加の質問", "intro": ""}})
    for block_type, pattern, count in EXTRA:
        for i in range(count):
            value = {"key": pattern.format(i), "text": f"追加の質問 {block_type} {i}", "help_text": "", "required": True,
                     "show_if_question": "", "show_if_value": ""}
            if block_type == "likert":
                value |= {"low_label": "低い", "high_label": "高い"}
            elif block_type in ("single_choice", "multiple_choice"):
                value["choices"] = [{"value": f"c{j}", "label": f"選択肢{j}"} for j in range(6)]
            elif block_type == "number":
                value |= {"min_value": 0, "max_value": 1000, "unit": "円"}
            result.append({"type": block_type, "value": value})
    return result


def survey_create():
    import io

    from django.utils import timezone
    from wagtail.models import Locale

    from cms.demo import seed_pages
    from cms.models import HomePage
    from surveys.models import SurveyPage

    seed_pages(stdout=io.StringIO())
    home = HomePage.objects.filter(locale=Locale.get_default()).first()
    old = SurveyPage.objects.filter(slug="bench-survey").first()
    if old is not None:
        old.delete()
    survey = SurveyPage(title="ベンチマーク調査", slug="bench-survey", audience="browser", results_public=True,
                        opens_at=timezone.now() - timezone.timedelta(days=1), questions=blocks())
    home.add_child(instance=survey)
    survey.save_revision().publish()
    return SurveyPage.objects.get(pk=survey.pk)


def raw_answers(structure, rng) -> dict:
    from surveys.demo import _answers

    answers = _answers(rng)
    for q in structure.questions:
        if q.key.startswith("extra_l"):
            answers[q.key] = str(rng.randint(1, 5))
        elif q.key.startswith("extra_s"):
            answers[q.key] = rng.choice(q.choice_values)
        elif q.key.startswith("extra_m"):
            answers[q.key] = rng.sample(q.choice_values, rng.randint(1, 3))
        elif q.key.startswith("extra_n"):
            answers[q.key] = str(rng.randint(0, 1000))
    return answers


def seed(survey, n: int, rng) -> float:
    from django.db import transaction

    from surveys.models import Answer, Response
    from surveys.questions import clean_answers
    from surveys.services import answer_rows

    structure = survey.structure
    t0 = time.perf_counter()
    Response.objects.filter(survey=survey).delete()
    batch = 500
    with transaction.atomic():
        for start in range(0, n, batch):
            cleaned = [clean_answers(structure, raw_answers(structure, rng)) for _ in range(min(batch, n - start))]
            responses = Response.objects.bulk_create([
                Response(survey=survey, browser_key=f"bench-{start + i}", district=c["district"], age_band=c["age_band"])
                for i, c in enumerate(cleaned)])
            Answer.objects.bulk_create([
                Answer(response=r, survey=survey, district=r.district, age_band=r.age_band, **row)
                for r, c in zip(responses, cleaned, strict=True) for row in answer_rows(structure, c)
            ], batch_size=2000)
    from django.db import connection

    from surveys.services import tally_rebuild

    tally_rebuild(survey)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE surveys_answer") if not connection.in_atomic_block else None
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return time.perf_counter() - t0


def timed(func, repeats: int) -> tuple[float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    queries = 0
    for i in range(repeats):
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            func()
            times.append((time.perf_counter() - t0) * 1000)
        queries = len(ctx.captured_queries) if i == 0 else queries
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    return statistics.median(times), p95, queries


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--responses", default="10000")
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    scratch = None
    if not os.environ.get("DATABASE_URL"):
        scratch = Path(tempfile.gettempdir()) / "bench_surveys.sqlite3"
    setup_django(scratch)
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from participation.models import User
    from surveys import selectors

    settings.ALLOWED_HOSTS = ["*"]
    survey = survey_create()
    structure = survey.structure
    staff = User.objects.filter(username="bench-staff").first() or User.objects.create_superuser(
        "bench-staff", "bench@example.jp", "bench-password-123", display_name="bench")
    client = Client()
    client.force_login(staff)
    rng = random.Random(13)
    print(f"database: {connection.vendor}; questions: {len(structure.questions)}")
    for n in [int(x) for x in args.responses.split(",")]:
        seconds = seed(survey, n, rng)
        from surveys.models import Answer

        rows = Answer.objects.filter(survey=survey).count()
        print(f"\n{n} responses, {rows} answer rows (seeded in {seconds:.1f} s)")
        for label, func in [
            ("survey_results (all)", lambda: selectors.survey_results(survey=survey, structure=structure)),
            ("survey_results (district=kita)",
             lambda: selectors.survey_results(survey=survey, structure=structure, district="kita")),
            ("staff results page (GET manage/)", lambda: client.get(f"/surveys/{survey.pk}/manage/")),
            ("results API (staff)", lambda: client.get(f"/api/v1/surveys/{survey.pk}/results")),
        ]:
            p50, p95, queries = timed(func, args.requests)
            print(f"  {label:36s} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   {queries} queries")
        t0 = time.perf_counter()
        exported = sum(1 for _ in selectors.export_rows(survey=survey, structure=structure))
        print(f"  CSV export rows                      {exported} in {time.perf_counter() - t0:.2f} s")


if __name__ == "__main__":
    main()
