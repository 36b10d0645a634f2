"""The survey page in Wagtail: where it may live, the editor, and the block rules staff meet when editing."""

import pytest
from wagtail import blocks

from surveys.blocks import SurveyStreamBlock
from surveys.demo import questions
from surveys.models import SurveyPage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_survey_pages_live_under_home_content_and_consultations(demo_pages):
    from wagtail.models import Locale

    from cms.models import ConsultationIndexPage, HomePage

    home = HomePage.objects.get(locale=Locale.get_default())
    assert SurveyPage.can_create_at(home)
    assert SurveyPage.can_create_at(demo_pages[0])
    assert not SurveyPage.can_create_at(ConsultationIndexPage.objects.first())


def test_editor_opens_for_staff(client, demo_pages):
    from wagtail.models import Locale

    from cms.models import HomePage
    from tests.conftest import make_user

    admin = make_user("boss", is_superuser=True, is_staff=True)
    client.force_login(admin)
    home = HomePage.objects.get(locale=Locale.get_default())
    response = client.get(f"/admin/pages/add/surveys/surveypage/{home.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '"fieldName": "questions"' in html and "likert" in html and "matrix" in html


def test_stream_validation_refuses_duplicate_keys_and_bad_conditions():
    block = SurveyStreamBlock()
    value = block.to_python(questions("ja"))
    assert block.clean(value)
    duplicate = questions("ja") + [{"type": "short_text", "value": {
        "key": "district", "text": "x", "required": False, "max_length": 10, "show_if_question": "", "show_if_value": ""}}]
    with pytest.raises(blocks.StreamBlockValidationError) as info:
        block.clean(block.to_python(duplicate))
    assert "more than one question" in str(info.value.as_json_data())
    bad_key = questions("ja")
    bad_key[1]["value"]["key"] = "Bad Key"
    with pytest.raises(blocks.StreamBlockValidationError):
        block.clean(block.to_python(bad_key))
