"""The "analysis" demo seeder against the real proposals opinion source."""

import io
import random

import pytest

from ml.models import AnalysisRun, Summary
from participation.core.registry import registry

pytestmark = pytest.mark.django_db


def run_seeders(names):
    out = io.StringIO()
    for seeder in registry.demo_seeders:
        if seeder.name in names:
            seeder.func(stdout=out, password="demo-pass-2026", set_password=False, rng=random.Random(7))
    return out.getvalue()


def test_seeder_skips_gracefully_without_texts(demo_pages):
    out = run_seeders({"analysis"})
    assert "analysis: skipped" in out
    assert not AnalysisRun.objects.exists()


def test_seeder_analyses_parks_and_publishes_a_summary(client):
    assert "proposals" in registry.opinion_sources  # registered by proposals/registration.py
    names = {s.name for s in registry.demo_seeders}
    out = run_seeders(names - {"analysis"} - {s.name for s in registry.demo_seeders if s.order > 60})
    out = run_seeders({"analysis"})
    assert "summary published" in out, out
    run = AnalysisRun.objects.get()
    assert run.status == "succeeded" and run.counts["texts"] >= 20 and run.counts["themes"] >= 2
    summary = Summary.objects.get()
    assert summary.is_published and summary.run == run
    assert "analysis: published summary exists" in run_seeders({"analysis"})  # idempotent
    assert AnalysisRun.objects.count() == 1


def test_hidden_and_withdrawn_items_of_the_real_source_are_not_analysed(
    demo_pages, resident, settings, django_capture_on_commit_callbacks
):
    assert "proposals" in registry.opinion_sources  # registered by proposals/registration.py
    from django.utils import timezone

    from participation.analysis.runs import analysis_start
    from proposals.models import Proposal

    settings.ML_EMBEDDING_BACKEND = "tfidf"
    page = demo_pages[0]
    texts = ["公園の遊具", "公園のベンチ", "バスの本数", "バス停の屋根", "図書館の時間", "図書館の本", "ごみの分別"]
    proposals = [
        Proposal.objects.create(consultation_id=page.pk, author=resident, title=t, body=t + "をお願いします")
        for t in texts
    ]
    Proposal.objects.filter(pk=proposals[0].pk).update(hidden_at=timezone.now(), hidden_reason="spam")
    with django_capture_on_commit_callbacks(execute=True):
        run = analysis_start(consultation_id=page.pk)
    run.refresh_from_db()
    assert run.status == "succeeded", run.error
    assert f"p{proposals[0].pk}" not in run.items
    assert f"p{proposals[1].pk}" in run.items
