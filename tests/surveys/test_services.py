"""Submitting responses, drafts, invitation codes, paper entry and import: the rules and the refusals."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from participation.core.errors import Conflict
from surveys import codes, services
from surveys.models import Answer, Draft, InvitationCode, Response
from tests.surveys.conftest import english_copy

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

ANON = AnonymousUser()


def submit(survey, answers, **kw):
    kw.setdefault("user", ANON)
    kw.setdefault("browser_key", "browser-1")
    return services.response_submit(survey=survey, raw_answers=answers, **kw)


def test_submit_stores_typed_rows_and_attributes(survey, good_answers):
    response = submit(survey, good_answers)
    assert response.district == "kita" and response.age_band == "30s"
    rows = Answer.objects.filter(response=response)
    assert rows.filter(question="priorities").count() == 2
    assert rows.filter(question="services").count() == 5
    assert rows.get(question="channels", item="line").number == 2
    assert rows.get(question="comment").text == "<b>歩道</b>を広げてほしい"
    assert set(rows.values_list("district", flat=True)) == {"kita"}


def test_english_copy_counts_with_the_japanese_page(survey, good_answers):
    en = english_copy(survey)
    response = submit(en, good_answers, browser_key="b-en", language="en")
    assert response.survey_id == survey.pk and response.language == "en"
    submit(survey, good_answers, browser_key="b-ja")
    assert Response.objects.filter(survey=survey).count() == 2


def test_once_per_browser(survey, good_answers):
    submit(survey, good_answers)
    with pytest.raises(Conflict):
        submit(survey, good_answers)
    assert Response.objects.count() == 1


def test_browser_survey_needs_the_cookie(survey, good_answers):
    with pytest.raises(PermissionDenied):
        submit(survey, good_answers, browser_key="")


def test_members_only_once_per_member(member_survey, good_answers, resident):
    with pytest.raises(PermissionDenied):
        submit(member_survey, good_answers)
    submit(member_survey, good_answers, user=resident)
    with pytest.raises(Conflict):
        submit(member_survey, good_answers, user=resident, browser_key="other")
    assert Response.objects.filter(user=resident).count() == 1


def test_closed_and_not_yet_open_surveys_refuse(demo_pages, good_answers):
    from tests.surveys.conftest import make_survey

    closed = make_survey(opens=-10, closes=-1, slug="c1", english=False)
    later = make_survey(opens=2, closes=9, slug="c2", english=False)
    with pytest.raises(PermissionDenied, match="closed"):
        submit(closed, good_answers)
    with pytest.raises(PermissionDenied, match="not open yet"):
        submit(later, good_answers)
    assert Response.objects.count() == 0


def test_bad_answers_store_nothing(survey, good_answers):
    good_answers["years"] = "1000"
    with pytest.raises(ValidationError):
        submit(survey, good_answers)
    assert Response.objects.count() == 0 and Answer.objects.count() == 0


def test_codes_are_long_random_and_single_use(invitation_survey, good_answers, staff_user):
    created = services.codes_generate(survey=invitation_survey, count=30, user=staff_user)
    assert len({c.code for c in created}) == 30
    assert codes.BITS >= 60 and all(len(c.code) == codes.LENGTH for c in created)
    code = created[0]
    with pytest.raises(services.InvalidCode):
        submit(invitation_survey, good_answers, code="")
    with pytest.raises(services.InvalidCode):
        submit(invitation_survey, good_answers, code="AAAA-BBBB-CCCCC")
    # typed loosely: lower case, spaces, O for 0
    typed = codes.format_code(code.code).lower().replace("-", " ")
    response = submit(invitation_survey, good_answers, code=typed, browser_key="")
    assert response.via_invitation and response.user_id is None and response.browser_key == ""
    with pytest.raises(Conflict) as info:
        submit(invitation_survey, good_answers, code=code.code)
    assert info.value.code == "code_used"
    assert Response.objects.count() == 1
    assert InvitationCode.objects.get(pk=code.pk).used_at is not None


def test_optional_code_on_a_browser_survey_replaces_the_browser_rule(survey, good_answers, staff_user):
    code = services.codes_generate(survey=survey, count=2, user=staff_user)
    submit(survey, good_answers)  # this browser answered once ...
    submit(survey, good_answers, code=code[0].code)  # ... a sampled resident on the same browser still can
    assert Response.objects.filter(via_invitation=True).count() == 1


def test_only_staff_generate_codes_within_bounds(invitation_survey, resident, staff_user):
    with pytest.raises(PermissionDenied):
        services.codes_generate(survey=invitation_survey, count=5, user=resident)
    for bad in (0, 5001, "x"):
        with pytest.raises(ValidationError):
            services.codes_generate(survey=invitation_survey, count=bad, user=staff_user)
    services.codes_generate(survey=invitation_survey, count=3, user=staff_user)
    second = services.codes_generate(survey=invitation_survey, count=3, user=staff_user)
    assert second[0].batch == 2


def test_code_normalisation():
    assert codes.normalize_code("abcd-efgh-jkmno") == "ABCDEFGHJKMN0"
    assert codes.normalize_code("ABCD") == ""
    assert codes.normalize_code("ABCD-EFGH-JKMNU") == ""  # U is never issued


def test_drafts_keep_raw_answers(survey):
    services.draft_save(survey=survey, owner="b:x", data={"district": "kita"}, step=1)
    services.draft_save(survey=survey, owner="b:x", data={"district": "nishi"}, step=2)
    assert services.draft_get(survey=survey, owner="b:x") == {"district": "nishi"}
    assert Draft.objects.count() == 1


def test_submit_drops_the_draft(survey, good_answers):
    services.draft_save(survey=survey, owner="b:browser-1", data=good_answers, step=3)
    submit(survey, good_answers, draft_owner="b:browser-1")
    assert Draft.objects.count() == 0


def test_paper_entry_is_marked_and_allowed_after_closing(closed_survey, good_answers, staff_user, resident):
    with pytest.raises(PermissionDenied):
        services.paper_response_add(survey=closed_survey, raw_answers=good_answers, user=resident)
    response = services.paper_response_add(survey=closed_survey, raw_answers=good_answers, user=staff_user)
    assert response.source == "paper" and response.user_id is None


def test_paper_import_all_or_nothing(survey, staff_user):
    header = "district,age_band,years,overall,services,visited,visited_on,priorities,channels,one_word,comment\n"
    good = "kita,30s,3,4,waste=4;parks=5;roads=3;childcare=4;disaster=2,yes,2026-01-02,health;education,web>line>bulletin>board,,\n"
    bad = "mars,30s,3,4,waste=4;parks=5;roads=3;childcare=4;disaster=2,no,,health,web>line>bulletin>board,,\n"
    with pytest.raises(ValidationError) as info:
        services.paper_import_csv(survey=survey, data=("\ufeff" + header + good + bad).encode(), user=staff_user)
    assert "Line 3" in " ".join(info.value.messages)
    assert Response.objects.count() == 0
    n = services.paper_import_csv(survey=survey, data=("\ufeff" + header + good + good).encode(), user=staff_user)
    assert n == 2 and Response.objects.filter(source="paper").count() == 2
    with pytest.raises(ValidationError, match="Unknown columns"):
        services.paper_import_csv(survey=survey, data=b"nope\n1\n", user=staff_user)
    with pytest.raises(ValidationError, match="UTF-8"):
        services.paper_import_csv(survey=survey, data="district\n北町\n".encode("shift_jis"), user=staff_user)


def test_closing_time_is_respected(survey, good_answers):
    survey.closes_at = timezone.now() - timedelta(seconds=1)
    survey.save()
    with pytest.raises(PermissionDenied):
        submit(survey, good_answers)


def test_tally_equals_the_answers(survey, good_answers, staff_user):
    import random

    from surveys.demo import _answers

    rng = random.Random(5)
    for i in range(25):
        services.response_submit(survey=survey, raw_answers=_answers(rng), user=ANON, browser_key=f"t{i}")
    services.paper_response_add(survey=survey, raw_answers=good_answers, user=staff_user)
    assert services.tally_mismatches(survey) == []
    from surveys.models import Tally

    Tally.objects.filter(survey=survey).update(count=0)
    assert services.tally_mismatches(survey)
    services.tally_rebuild(survey)
    assert services.tally_mismatches(survey) == []
