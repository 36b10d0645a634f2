import pytest
from django.core.exceptions import ValidationError

from ml import services
from ml.models import AnalysisRun, Summary, Theme

pytestmark = pytest.mark.django_db


@pytest.fixture
def run():
    run = AnalysisRun.objects.create(
        consultation_id=1,
        status="succeeded",
        items={
            "p1": {"text": "a", "theme": 0},
            "p2": {"text": "b", "theme": 0},
            "p3": {"text": "c", "theme": 1},
        },
    )
    Theme.objects.create(
        run=run,
        position=0,
        label="公園・遊具",
        keywords=["公園"],
        size=2,
        member_ids=["p1", "p2"],
        representative_ids=["p1"],
        coords=[[0, 0], [1, 1]],
    )
    Theme.objects.create(
        run=run,
        position=1,
        label="バス",
        keywords=["バス"],
        size=1,
        member_ids=["p3"],
        representative_ids=["p3"],
        coords=[[0.5, 0.5]],
    )
    return run


def test_rename(run):
    theme = run.themes.first()
    services.theme_rename(theme=theme, label="  公園の遊具  ")
    theme.refresh_from_db()
    assert theme.label == "公園の遊具" and theme.generated_label == ""


@pytest.mark.parametrize("label", ["", "   ", "x" * 201])
def test_rename_bad_input_changes_nothing(run, label):
    theme = run.themes.first()
    with pytest.raises(ValidationError):
        services.theme_rename(theme=theme, label=label)
    theme.refresh_from_db()
    assert theme.label == "公園・遊具"


def test_merge_moves_members_and_deletes_the_other(run):
    first, second = run.themes.all()
    merged = services.theme_merge(target=first, other=second)
    assert merged.size == 3 and merged.member_ids == ["p1", "p2", "p3"]
    assert len(merged.coords) == 3
    assert "p3" in merged.representative_ids
    assert Theme.objects.filter(run=run).count() == 1
    run.refresh_from_db()
    assert run.items["p3"]["theme"] == merged.pk


def test_merge_refuses_the_same_theme_and_other_runs(run):
    first, second = run.themes.all()
    with pytest.raises(ValidationError):
        services.theme_merge(target=first, other=first)
    other_run = AnalysisRun.objects.create(consultation_id=2, status="succeeded")
    foreign = Theme.objects.create(run=other_run, label="x", member_ids=["q"])
    with pytest.raises(ValidationError):
        services.theme_merge(target=first, other=foreign)
    assert Theme.objects.count() == 3


def test_summary_save_publish_unpublish(run):
    summary = services.summary_save(consultation_id=1, text="  まとめ  ", run=run)
    assert summary.text == "まとめ" and not summary.is_published
    services.summary_publish(summary=summary, publish=True)
    assert Summary.objects.get().is_published
    services.summary_publish(summary=summary, publish=False)
    assert not Summary.objects.get().is_published


def test_publishing_needs_text_and_a_run(run):
    empty = services.summary_save(consultation_id=1, text="", run=run)
    with pytest.raises(ValidationError):
        services.summary_publish(summary=empty, publish=True)
    no_run = services.summary_save(consultation_id=5, text="text", run=None)
    with pytest.raises(ValidationError):
        services.summary_publish(summary=no_run, publish=True)
    assert not Summary.objects.filter(published_at__isnull=False).exists()


def test_summary_too_long_is_refused(run):
    with pytest.raises(ValidationError):
        services.summary_save(consultation_id=1, text="x" * 20001, run=run)
    assert not Summary.objects.exists()


def test_store_results_keeps_titles_quotes_also_and_sentiment():
    run = AnalysisRun.objects.create(consultation_id=7, status="running")
    theme = {
        "label": "バス・バス停",
        "title": "バスの本数が少なくて通勤に使えない",
        "keywords": ["バス", "バス停"],
        "size": 2,
        "members": ["p1", "p2"],
        "also": ["p3"],
        "representatives": ["p1"],
        "quotes": [{"id": "p1", "quote": "バスの本数が少なくて通勤に使えない。", "sentiment": "negative"}],
        "sentiment": {"positive": 0.0, "negative": 0.5, "neutral": 0.5},
        "subthemes": [],
    }
    services.run_store_results(
        run=run,
        themes=[theme],
        items={},
        noise_ids=[],
        groups=[],
        opinion={},
        model="m",
        timings={},
        counts={},
        sentiment={"method": "lexicon", "shares": {"positive": 0.0, "negative": 0.5, "neutral": 0.5}},
    )
    stored = run.themes.get()
    assert stored.title == "バスの本数が少なくて通勤に使えない" and stored.also_ids == ["p3"]
    assert stored.quotes == theme["quotes"] and stored.sentiment["negative"] == 0.5
    run.refresh_from_db()
    assert run.sentiment["method"] == "lexicon"


def test_merge_combines_sentiment_by_size(run):
    first, second = run.themes.order_by("position")
    Theme.objects.filter(pk=first.pk).update(sentiment={"positive": 1.0, "negative": 0.0, "neutral": 0.0})
    Theme.objects.filter(pk=second.pk).update(sentiment={"positive": 0.0, "negative": 1.0, "neutral": 0.0})
    first.refresh_from_db()
    second.refresh_from_db()
    merged = services.theme_merge(target=first, other=second)
    assert merged.sentiment == {"positive": 0.667, "negative": 0.333, "neutral": 0.0}


def test_pipeline_quotes_take_their_representatives_ids_and_the_review_shows_units():
    from ml import selectors

    run = AnalysisRun.objects.create(
        consultation_id=8,
        status="running",
        items={"p1": {"text": "北町の会社員です。バスが来ない。以上です。"}, "p2": {"text": "バス停に屋根を"}},
    )
    theme = {
        "label": "バス",
        "title": "バスが来ない",
        "keywords": ["バス"],
        "size": 2,
        "members": ["p1", "p2"],
        "also": [3],  # an unmapped text index: not stored
        "representatives": ["p1", "p2"],  # mapped by the caller
        "quotes": [  # as ml.pipeline returns them: text indices, aligned with the representatives
            {"text": 0, "quote": "バスが来ない。", "sentiment": "negative"},
            {"text": 1, "quote": "バス停に屋根を", "sentiment": "neutral"},
        ],
        "sentiment": {"positive": 0.0, "negative": 0.5, "neutral": 0.5},
        "subthemes": [],
    }
    services.run_store_results(
        run=run,
        themes=[theme],
        items=run.items,
        noise_ids=[],
        groups=[],
        opinion={},
        model="m",
        timings={},
        counts={},
        sentiment={"method": "lexicon", "shares": {"positive": 0.0, "negative": 0.5, "neutral": 0.5}},
    )
    stored = run.themes.get()
    assert [q["id"] for q in stored.quotes] == ["p1", "p2"] and stored.also_ids == []
    review = selectors.run_review(run)
    quote = review["themes"][0]["quotes"][0]
    assert (
        quote["text"] == "バスが来ない。" and quote["full_text"].startswith("北町") and quote["sentiment"] == "negative"
    )
    assert review["sentiment"]["shares"]["negative"] == 0.5
    summary = services.summary_save(consultation_id=8, text="まとめ", run=run)
    services.summary_publish(summary=summary, publish=True)
    published = selectors.published_summary(8)
    assert published["themes"][0]["title"] == "バスが来ない"
    assert published["themes"][0]["sentiment"] == {"positive": 0, "negative": 50, "neutral": 50}
    assert published["sentiment"]["negative"] == 0.5


def test_council_report_renders_themes_tone_quotes_and_groups():
    from django.template.loader import render_to_string

    from ml import selectors
    from ml.models import OpinionGroup

    run = AnalysisRun.objects.create(
        consultation_id=9,
        status="succeeded",
        counts={"texts": 3, "themes": 1},
        items={
            "p1": {"text": "北町の会社員です。バスが来ない。"},
            "p2": {"text": "バス停に屋根を"},
            "p3": {"text": "<script>x</script>"},
        },
        opinion={"consensus": ["p2"], "divisive": ["p3"]},
        sentiment={"method": "lexicon", "shares": {"positive": 0.1, "negative": 0.6, "neutral": 0.3}},
    )
    Theme.objects.create(
        run=run,
        position=0,
        label="バス・バス停",
        generated_label="バス・バス停",
        title="バスが来ない",
        keywords=["バス", "バス停"],
        size=2,
        member_ids=["p1", "p2"],
        representative_ids=["p1"],
        quotes=[{"id": "p1", "quote": "バスが来ない。", "sentiment": "negative"}],
        sentiment={"positive": 0.0, "negative": 0.5, "neutral": 0.5},
    )
    OpinionGroup.objects.create(
        run=run,
        position=0,
        size=4,
        member_ids=[1, 2, 3, 4],
        representative=[{"statement": "p2", "repful_for": "agree"}],
    )
    report = selectors.council_report(run, title="コミュニティバス")
    assert report["themes"][0]["title"] == "バスが来ない" and report["themes"][0]["tone_neutral_x"] == 50
    assert report["sentiment"] == {"positive": 10, "negative": 60, "neutral": 30}
    html = render_to_string("ml/council_report.html", {"report": report})
    assert "コミュニティバス" in html and "バスが来ない" in html and "“バスが来ない。”" in html
    assert "<script>x</script>" not in html and "&lt;script&gt;" in html  # escaped
    assert 'width="50"' in html and "ml/council_report.css" in html and "style=" not in html


def test_staff_names_win_over_generated_titles():
    from ml.selectors import theme_name

    theme = Theme(label="バス・バス停", generated_label="バス・バス停", title="バスが来ない")
    assert theme_name(theme) == "バスが来ない"
    theme.label = "バスの便"
    assert theme_name(theme) == "バスの便"
    assert theme_name(Theme(label="公園", generated_label="公園", title="")) == "公園"


def test_a_group_says_each_thing_once():
    """Residents post the same words under several proposals — each a statement of its own to vote on — and a
    group's statements, the consensus and the divisive ones show a text once, the strongest first."""
    from ml import selectors
    from ml.models import OpinionGroup

    run = AnalysisRun.objects.create(
        consultation_id=9,
        status="succeeded",
        counts={"texts": 3},
        items={"c1": {"text": "賛成です。"}, "c2": {"text": "賛成です。 "}, "c3": {"text": "ベンチを増やして"}},
        opinion={"consensus": ["c1", "c2", "c3"], "divisive": ["c2", "c1"]},
    )
    OpinionGroup.objects.create(
        run=run,
        position=0,
        size=3,
        member_ids=[1, 2, 3],
        representative=[
            {"statement": "c2", "repful_for": "agree", "pa": 0.9},
            {"statement": "c3", "repful_for": "agree", "pa": 0.8},
            {"statement": "c1", "repful_for": "agree", "pa": 0.7},
        ],
    )
    review = selectors.run_review(run)
    assert [s["id"] for s in review["groups"][0]["statements"]] == ["c2", "c3"]
    assert [s["id"] for s in review["consensus"]] == ["c1", "c3"]
    assert [s["id"] for s in review["divisive"]] == ["c2"]


def test_the_english_summary_is_kept_unless_given(run):
    services.summary_save(consultation_id=1, text="まとめ", text_en="  Summary  ", run=run)
    assert Summary.objects.get().text_en == "Summary"
    services.summary_save(consultation_id=1, text="新しいまとめ", run=run)  # a caller that knows no English
    assert (Summary.objects.get().text, Summary.objects.get().text_en) == ("新しいまとめ", "Summary")
    services.summary_save(consultation_id=1, text="新しいまとめ", text_en="", run=run)
    assert Summary.objects.get().text_en == ""
    with pytest.raises(ValidationError) as error:
        services.summary_save(consultation_id=1, text="別のまとめ", text_en="x" * 20001, run=run)
    assert "text_en" in error.value.message_dict
    assert Summary.objects.get().text == "新しいまとめ"
