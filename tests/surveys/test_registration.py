"""What surveys give the kernel: demo data, open data, opinion source, account data, metrics."""

import io
import random
from datetime import timedelta

import pytest
from django.utils import timezone

from participation.core.registry import registry
from surveys import services
from surveys.models import InvitationCode, Response, SurveyPage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_demo_seeder_is_idempotent(demo_pages):
    from surveys.demo import seed_surveys

    out = io.StringIO()
    seed_surveys(stdout=out, rng=random.Random(1))
    survey = SurveyPage.objects.get(slug="satisfaction-survey", locale__language_code="ja")
    assert survey.title == "みらい市 市民満足度調査" and survey.is_open()
    assert Response.objects.filter(survey=survey).count() == 200
    assert len(set(Response.objects.filter(survey=survey).values_list("district", flat=True))) == 5
    assert InvitationCode.objects.filter(survey=survey).count() == 50
    log = out.getvalue()
    assert sum(1 for line in log.splitlines() if line.startswith("  ") and len(line.strip()) == 15) == 50
    en = survey.get_translation(survey.locale.__class__.objects.get(language_code="en")).specific
    assert en.title.startswith("Mirai City")
    kinds = {q.kind for q in survey.structure.questions}
    assert len(kinds) == 9
    seed_surveys(stdout=io.StringIO())
    assert Response.objects.filter(survey=survey).count() == 200
    assert "survey_responses" in registry.metrics and registry.metrics["survey_responses"].total() >= 200


def test_demo_park_survey_gives_the_parks_analysis_answers_by_age_band(demo_pages):
    """The demo's park-use survey sits under the parks consultation, so the demo's opinion analysis has survey
    answers with their district and age band beside the proposals (once, however often the seeder runs)."""
    from surveys.demo import seed_surveys
    from surveys.registration import attribute_values, opinion_items

    parks = next(page for page in demo_pages if page.slug == "parks-future")
    seed_surveys(stdout=io.StringIO(), rng=random.Random(1))
    seed_surveys(stdout=io.StringIO(), rng=random.Random(1))
    survey = SurveyPage.objects.get(slug="park-use-survey", locale__language_code="ja")
    assert survey.get_parent().pk == parks.pk and Response.objects.filter(survey=survey).count() == 45
    items = list(opinion_items(parks.pk))
    assert len(items) == 40 and {item["attributes"]["age_band"] for item in items} >= {"29歳以下", "65歳以上"}
    assert attribute_values(parks.pk)["age_band"]["65歳以上"] == {"ja": "65歳以上", "en": "65 or older"}


def test_open_data_lists_published_results_only(closed_survey, survey, good_answers, staff_user):
    services.paper_response_add(survey=closed_survey, raw_answers=good_answers, user=staff_user)
    services.paper_response_add(survey=survey, raw_answers=good_answers, user=staff_user)
    spec = registry.exports["survey_results"]
    rows = list(spec.rows())
    assert rows and {r["survey_id"] for r in rows} == {closed_survey.pk}
    assert all(set(r) <= set(spec.fields) for r in rows)
    kita = next(r for r in rows if r["question"] == "district" and r["value"] == "kita")
    assert kita["count"] == 1 and kita["percent"] == 100.0
    assert not any(r["type"] in ("short_text", "long_text") for r in rows)  # no free text in open data


def test_open_data_page_serves_it(client, closed_survey, good_answers, staff_user):
    from django.urls import reverse

    services.paper_response_add(survey=closed_survey, raw_answers=good_answers, user=staff_user)
    assert "survey_results" in client.get(reverse("opendata:index")).content.decode()
    csv_body = b"".join(client.get(reverse("opendata:download", args=["survey_results", "csv"])).streaming_content)
    assert csv_body.decode("utf-8-sig").splitlines()[0].startswith("survey_id,survey,")


def test_opinion_source_gives_free_text_of_surveys_under_a_consultation(open_consultation, good_answers, staff_user):
    from surveys.demo import questions

    survey = SurveyPage(title="公園アンケート", slug="park-survey", audience="browser", questions=questions("ja"),
                        opens_at=timezone.now() - timedelta(days=1))
    open_consultation.add_child(instance=survey)
    survey.save_revision().publish()
    services.paper_response_add(survey=survey, raw_answers=good_answers, user=staff_user)
    items = list(registry.opinion_sources["surveys"].items(open_consultation.pk))
    assert [i["text"] for i in items] == ["住みやすい", "<b>歩道</b>を広げてほしい"]
    # Each answer carries the day it was sent and the district and age band the survey asked, by the survey's
    # own choice labels, for the analysis's themes-by tables.
    assert {i["date"] for i in items} == {timezone.localdate().isoformat()}
    assert items[0]["attributes"] == {"district": "北町", "age_band": "30〜39歳"}
    from django.test import Client

    html = Client().get(open_consultation.url).content.decode()
    assert "公園アンケート" in html and survey.url in html  # listed on the consultation page
    staff = Client()
    staff.force_login(staff_user)
    manage = staff.get(f"/surveys/{survey.pk}/manage/").content.decode()
    assert f"/admin/analysis/{open_consultation.pk}/" in manage  # free text to the opinion analysis in one click


def _analysed_survey(consultation, good_answers, staff_user, capture, rows, *, english=False):
    """A survey under ``consultation`` (with its English copy when asked), one paper response per (age band,
    district, comment) of ``rows``, and the consultation's analysis run into two themes."""
    from wagtail.models import Locale

    from ml.models import AnalysisRun
    from participation.analysis.runs import analysis_start
    from surveys.demo import questions

    survey = SurveyPage(
        title="公園アンケート",
        slug="park-survey",
        audience="browser",
        questions=questions("ja"),
        opens_at=timezone.now() - timedelta(days=1),
    )
    consultation.add_child(instance=survey)
    survey.save_revision().publish()
    if english:
        copy = survey.copy_for_translation(Locale.objects.get(language_code="en"), copy_parents=True).specific
        copy.questions = questions("en")
        copy.save_revision().publish()
    for age_band, district, comment in rows:
        answers = {**good_answers, "age_band": age_band, "district": district, "comment": comment}
        answers.pop("one_word")
        services.paper_response_add(survey=survey, raw_answers=answers, user=staff_user)
    with capture(execute=True):
        analysis_start(consultation_id=consultation.pk, themes=2)
    run = AnalysisRun.objects.get()
    assert run.status == "succeeded", run.error
    return run


def test_survey_answers_are_broken_down_by_age_band_in_the_analysis(
    open_consultation, good_answers, staff_user, settings, django_capture_on_commit_callbacks
):
    """Free text from a survey under a consultation is analysed with the consultation's other texts, and the
    review's themes-by tables break the themes down by the age bands the residents gave."""
    from ml.selectors import run_review
    from participation.analysis.runs import attribute_labels, channel_labels

    settings.ML_EMBEDDING_BACKEND = "tfidf"
    rows = [("u30", "kita", text) for text in ("公園の遊具が古い", "公園の遊具を直して", "公園の遊具の塗装")]
    rows += [("65p", "kita", text) for text in ("バスの本数が少ない", "バスの本数を増やして", "バスの本数と時刻表")]
    run = _analysed_survey(open_consultation, good_answers, staff_user, django_capture_on_commit_callbacks, rows)
    assert {item["attributes"]["age_band"] for item in run.items.values()} == {"29歳以下", "65歳以上"}
    review = run_review(run, channel_labels=channel_labels(), attribute_labels=attribute_labels())
    table = next(t for t in review["breakdowns"] if t["name"] == "Age band")
    assert table["values"] == ["29歳以下", "65歳以上"] and table["total"] == 6
    assert sorted(tuple(c["count"] for c in row["cells"]) for row in table["rows"]) == [(0, 3), (3, 0)]
    assert run.parameters["attribute_values"]["age_band"]["29歳以下"] == {"ja": "29歳以下"}  # no English copy yet


def test_survey_choices_read_in_the_readers_language_in_the_analysis(
    open_consultation, good_answers, staff_user, settings, django_capture_on_commit_callbacks
):
    """The items carry the default language's labels; the run keeps how each reads in every language copy of the
    survey, so an English reader's age-band table says "29 or younger", not 「29歳以下」."""
    from django.utils import translation

    from ml.selectors import run_review
    from participation.analysis.runs import attribute_labels

    settings.ML_EMBEDDING_BACKEND = "tfidf"
    rows = [("u30", "kita", "公園の遊具が古い"), ("u30", "kita", "公園の遊具を直して"), ("65p", "kita", "バスの本数が少ない")]
    rows += [("65p", "nishi", "バスの本数を増やして"), ("65p", "nishi", "バスの本数と時刻表")]
    capture = django_capture_on_commit_callbacks
    run = _analysed_survey(open_consultation, good_answers, staff_user, capture, rows, english=True)

    def values(language):
        with translation.override(language):
            tables = run_review(run, attribute_labels=attribute_labels())["breakdowns"]
            return {t["name"]: t["values"] for t in tables if t["name"] not in ("Channel", "Month", "受付経路", "月")}

    assert values("en") == {"Age band": ["29 or younger", "65 or older"], "District": ["Kita", "Nishi"]}
    assert values("ja") == {"年代": ["29歳以下", "65歳以上"], "地区": ["北町", "西町"]}


def test_account_data_export_and_anonymise(member_survey, good_answers, resident):
    services.response_submit(survey=member_survey, raw_answers=good_answers, user=resident)
    spec = registry.account_data["surveys"]
    data, files = spec.export(resident)
    assert len(data["survey_responses"]) == 1 and files == []
    spec.anonymise(resident)
    assert Response.objects.get().user_id is None
