"""The answering flow without JavaScript, codes, QR codes, poster, results and staff screens."""

import csv
import io
import json

import pytest
from django.urls import reverse

from surveys import services
from surveys.models import Draft, InvitationCode, Response
from tests.surveys.conftest import english_copy

pytestmark = pytest.mark.django_db

STEP0 = {"district": "kita", "age_band": "30s", "years": "12"}
STEP1 = {"overall": "4", "services__waste": "4", "services__parks": "5", "services__roads": "3",
         "services__childcare": "4", "services__disaster": "3", "visited": "no"}
STEP2 = {"priorities": ["health", "transport"], "channels__web": "1", "channels__line": "2", "channels__bulletin": "3",
         "channels__board": "4"}
STEP3 = {"one_word": "住みやすい", "comment": "<script>alert(1)</script>歩道"}


def answer_all(client, url):
    for step, data in enumerate((STEP0, STEP1, STEP2, STEP3)):
        response = client.post(f"{url}step/{step}/", data)
        assert response.status_code == 302, response.content.decode()[:2000]
    return client.post(f"{url}review/")


def test_start_page_sets_the_browser_cookie_and_links_the_first_screen(client, survey):
    response = client.get(survey.url)
    assert response.status_code == 200
    assert "survey_browser" in response.cookies
    assert f'{survey.url}step/0/' in response.content.decode()


def test_whole_flow_without_javascript(client, survey):
    client.get(survey.url)
    response = answer_all(client, survey.url)
    assert response.status_code == 302 and response["Location"].endswith("thanks/")
    thanks = client.get(response["Location"])
    assert "ありがとうございました" in thanks.content.decode()
    r = Response.objects.get()
    assert r.district == "kita" and r.answers.get(question="comment").text == "<script>alert(1)</script>歩道"
    assert Draft.objects.count() == 0
    # A second go from the same browser is stopped at the start.
    again = client.get(f"{survey.url}step/0/")
    assert again.status_code == 302


def test_errors_are_listed_and_input_kept(client, survey):
    client.get(survey.url)
    response = client.post(f"{survey.url}step/0/", {"district": "kita", "years": "500"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'href="#q-age_band"' in html and 'href="#q-years"' in html  # error summary links to the questions
    assert 'value="500"' in html and 'value="kita" checked' in html


def test_back_and_draft_keep_answers(client, survey):
    client.get(survey.url)
    client.post(f"{survey.url}step/0/", STEP0)
    back = client.get(f"{survey.url}step/0/")
    assert 'value="30s" checked' in back.content.decode()
    saved = client.post(f"{survey.url}step/1/", {"overall": "2", "save": "1"})
    assert saved.status_code == 302
    assert Draft.objects.get().data["overall"] == "2"
    start = client.get(survey.url)
    assert "Continue where you left off" in start.content.decode() or "続き" in start.content.decode()


def test_conditional_screen_logic(client, survey):
    client.get(survey.url)
    client.post(f"{survey.url}step/0/", STEP0)
    # overall=1 makes overall_why apply (same screen); an invalid date for a hidden question is ignored
    response = client.post(f"{survey.url}step/1/", {**STEP1, "overall": "1", "visited": "no", "visited_on": "bad"})
    assert response.status_code == 302
    response = client.post(f"{survey.url}step/1/", {**STEP1, "visited": "yes", "visited_on": "bad"})
    assert response.status_code == 400


def test_review_shows_answers_and_change_links(client, survey):
    client.get(survey.url)
    for step, data in enumerate((STEP0, STEP1, STEP2, STEP3)):
        client.post(f"{survey.url}step/{step}/", data)
    html = client.get(f"{survey.url}review/").content.decode()
    assert "北町" in html and f"{survey.url}step/0/#q-district" in html
    assert "&lt;script&gt;" in html and "<script>alert" not in html


def test_english_flow_counts_with_japanese(client, survey):
    en = english_copy(survey)
    assert en.url.startswith("/en/")
    client.get(en.url)
    html = client.get(f"{en.url}step/0/").content.decode()
    assert "Your district" in html
    answer_all(client, en.url)
    assert Response.objects.get().survey_id == survey.pk
    assert Response.objects.get().language == "en"


def test_members_survey_asks_to_log_in(client, member_survey, resident):
    html = client.get(member_survey.url).content.decode()
    assert reverse("account_login") in html
    assert client.get(f"{member_survey.url}step/0/").status_code == 302
    client.force_login(resident)
    answer_all(client, member_survey.url)
    assert Response.objects.get().user == resident


def test_invitation_code_from_the_qr_link(client, invitation_survey, staff_user):
    code = services.codes_generate(survey=invitation_survey, count=1, user=staff_user)[0]
    assert client.get(f"{invitation_survey.url}step/0/").status_code == 302  # no code yet
    page = client.get(f"{invitation_survey.url}?code={code.display}").content.decode()
    assert f'value="{code.display}"' in page
    response = client.post(invitation_survey.url, {"code": code.display})
    assert response.status_code == 302 and response["Location"].endswith("step/0/")
    answer_all(client, invitation_survey.url)
    assert InvitationCode.objects.get().used_at is not None
    assert Response.objects.get().via_invitation
    # The same code again, in another browser:
    other = client.__class__()
    response = other.post(invitation_survey.url, {"code": code.display})
    assert response.status_code == 400 and "すでに回答に使われています" in response.content.decode()


def test_wrong_codes_get_a_message_then_the_rate_limit(client, invitation_survey, settings):
    settings.RATE_LIMITS_ENABLED = True
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "survey_code": "3/600"}
    for _ in range(3):
        response = client.post(invitation_survey.url, {"code": "WRONG-CODE-00000"})
        assert response.status_code == 400
        assert "この招待コードはこの調査では使えません" in response.content.decode()
    response = client.post(invitation_survey.url, {"code": "WRONG-CODE-00000"})
    assert response.status_code == 429 and response["Retry-After"]


def test_qr_codes_and_poster(client, survey):
    svg = client.get(f"{survey.url}qr.svg")
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    png = client.get(f"{survey.url}qr.png")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    poster = client.get(f"{survey.url}poster/").content.decode()
    assert "qr.svg" in poster and "/s/" in poster and survey.title in poster
    short = client.get(f"/s/{survey.pk}/")
    assert short.status_code == 302 and short["Location"] == survey.url


def test_qr_decodes_to_the_survey_url(client, survey):
    import segno  # noqa: F401  (encoding checked through segno's own matrix of the same data)

    from surveys import qr

    url = f"http://testserver{survey.url}"
    assert qr._make(url).designator  # a valid QR version
    assert client.get(f"{survey.url}qr.svg").content == qr.svg(url)


def test_public_results_only_after_closing(client, survey, closed_survey, good_answers, staff_user):
    assert client.get(f"{survey.url}results/").status_code == 404
    services.paper_response_add(survey=closed_survey, raw_answers=good_answers, user=staff_user)
    html = client.get(f"{closed_survey.url}results/").content.decode()
    assert "Data table" in html or "データ表" in html
    assert "北町" in html
    client.force_login(staff_user)
    assert client.get(f"{survey.url}results/").status_code == 200  # staff see live results


def test_private_results_stay_private_after_closing(client, demo_pages):
    from tests.surveys.conftest import make_survey

    hidden = make_survey(opens=-10, closes=-1, results_public=False, slug="private", english=False)
    assert client.get(f"{hidden.url}results/").status_code == 404


def test_staff_screens_need_the_permission(client, survey, resident):
    url = reverse("surveys:manage", args=[survey.pk])
    assert client.get(url).status_code == 302  # login
    client.force_login(resident)
    assert client.get(url).status_code == 403
    assert client.get(reverse("surveys:export_csv", args=[survey.pk])).status_code == 403
    assert client.post(reverse("surveys:codes_create", args=[survey.pk]), {"count": 3}).status_code == 403
    assert InvitationCode.objects.count() == 0


def test_staff_manage_codes_exports_and_filters(client, survey, staff_user, good_answers):
    for i in range(6):
        services.paper_response_add(survey=survey, raw_answers={**good_answers, "district": "kita" if i < 5 else "nishi"},
                                    user=staff_user)
    client.force_login(staff_user)
    manage = reverse("surveys:manage", args=[survey.pk])
    html = client.get(manage).content.decode()
    assert "6" in html and "0 / 0" not in html
    assert client.get(manage + "?district=kita").context["results"].total == 5
    small = client.get(manage + "?district=nishi")
    assert small.context["results"].suppressed and small.context["results"].questions == []
    response = client.post(reverse("surveys:codes_create", args=[survey.pk]), {"count": 4})
    assert response.status_code == 302 and InvitationCode.objects.count() == 4
    codes_csv = b"".join(client.get(reverse("surveys:codes_csv", args=[survey.pk]) + "?batch=1").streaming_content)
    assert codes_csv.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(codes_csv.decode("utf-8-sig"))))
    assert len(rows) == 4 and "?code=" in rows[0]["url"]
    sheet = client.get(reverse("surveys:codes_sheet", args=[survey.pk]) + "?batch=1").content.decode()
    assert sheet.count("qr.svg?code=") == 4
    export = b"".join(client.get(reverse("surveys:export_csv", args=[survey.pk])).streaming_content).decode("utf-8-sig")
    table = list(csv.DictReader(io.StringIO(export)))
    assert len(table) == 6 and table[0]["priorities"] == "health;transport" and table[0]["channels.line"] == "2"
    assert "user" not in table[0] and len(table[0]["response_id"]) == 16
    data = json.loads(client.get(reverse("surveys:export_json", args=[survey.pk])).content)
    assert len(data["responses"]) == 6
    structure = json.loads(client.get(reverse("surveys:structure_json", args=[survey.pk])).content)
    assert structure["sections"][0]["questions"][0]["key"] == "district"


def test_staff_paper_entry_form(client, survey, staff_user):
    client.force_login(staff_user)
    url = reverse("surveys:paper", args=[survey.pk])
    assert client.get(url).status_code == 200
    bad = client.post(url, {"district": "mars"})
    assert bad.status_code == 400 and Response.objects.count() == 0
    data = {**STEP0, **STEP1, **STEP2}
    assert client.post(url, data).status_code == 302
    assert Response.objects.get().source == "paper"


def test_staff_import_view(client, survey, staff_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(staff_user)
    body = (b"district,age_band,overall,services,visited,priorities,channels\n"
            b"kita,30s,4,waste=4;parks=5;roads=3;childcare=4;disaster=2,no,health,web>line>bulletin>board\n")
    response = client.post(reverse("surveys:paper_import", args=[survey.pk]),
                           {"file": SimpleUploadedFile("p.csv", body, content_type="text/csv")})
    assert response.status_code == 302 and Response.objects.filter(source="paper").count() == 1


def test_the_page_names_the_answering_period_not_a_report_status(client, survey):
    """The project catalogue translates "Open" as a report status (未対応); the survey says 回答期間."""
    page = client.get(survey.url).content.decode()
    assert "回答期間" in page and "未対応" not in page


def test_a_free_text_answer_in_the_other_language_carries_its_lang(client, closed_survey, good_answers, staff_user):
    """Answers are shown as written: on the Japanese results page staff read, an English answer is marked lang="en" (a screen
    reader reads it with an English voice), a Japanese answer needs no mark."""
    english = dict(good_answers, comment="Please widen the pavement near the station.")
    services.paper_response_add(survey=closed_survey, raw_answers=good_answers, user=staff_user)
    services.paper_response_add(survey=closed_survey, raw_answers=english, user=staff_user)
    client.force_login(staff_user)  # free-text answers are shown to staff only, on the survey's staff page
    html = client.get(reverse("surveys:manage", args=[closed_survey.pk])).content.decode()
    assert '<li lang="en">Please widen the pavement near the station.</li>' in html
    assert "<li>&lt;b&gt;歩道&lt;/b&gt;を広げてほしい</li>" in html
