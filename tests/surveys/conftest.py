"""Survey fixtures: a survey page with every question type (the demo's questions), Japanese and English."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone


def make_survey(*, audience="browser", opens=-1, closes=10, results_public=True, slug="test-survey", english=True,
                questions=None):
    from wagtail.models import Locale

    from cms.models import HomePage
    from surveys.demo import questions as demo_questions
    from surveys.models import SurveyPage

    home = HomePage.objects.filter(locale=Locale.get_default()).first()
    now = timezone.now()
    survey = SurveyPage(
        title="テスト調査", slug=slug, intro="テストです。", audience=audience, results_public=results_public,
        opens_at=now + timedelta(days=opens), closes_at=None if closes is None else now + timedelta(days=closes),
        questions=questions if questions is not None else demo_questions("ja"), thank_you="ありがとうございました。",
    )
    home.add_child(instance=survey)
    survey.save_revision().publish()
    if english:
        en = Locale.objects.get(language_code="en")
        translated = survey.copy_for_translation(en, copy_parents=True).specific
        translated.title = "Test survey"
        translated.questions = demo_questions("en") if questions is None else questions
        translated.save_revision().publish()
    return SurveyPage.objects.get(pk=survey.pk)


def english_copy(survey):
    from wagtail.models import Locale

    return survey.get_translation(Locale.objects.get(language_code="en")).specific


GOOD = {
    "district": "kita", "age_band": "30s", "years": "12", "overall": "4",
    "services": {"waste": "4", "parks": "5", "roads": "3", "childcare": "4", "disaster": "3"},
    "visited": "yes", "visited_on": "2026-03-01", "priorities": ["health", "transport"],
    "channels": ["web", "line", "bulletin", "board"], "one_word": "住みやすい", "comment": "<b>歩道</b>を広げてほしい",
}


@pytest.fixture
def good_answers():
    return {k: (dict(v) if isinstance(v, dict) else list(v) if isinstance(v, list) else v) for k, v in GOOD.items()}


@pytest.fixture
def survey(demo_pages):
    return make_survey()


@pytest.fixture
def member_survey(demo_pages):
    return make_survey(audience="members", slug="member-survey")


@pytest.fixture
def invitation_survey(demo_pages):
    return make_survey(audience="invitation", slug="invite-survey")


@pytest.fixture
def closed_survey(demo_pages):
    return make_survey(opens=-20, closes=-1, slug="closed-survey")


@pytest.fixture
def english():
    """Messages in English (service-level tests read the English source strings)."""
    from django.utils import translation

    with translation.override("en"):
        yield
