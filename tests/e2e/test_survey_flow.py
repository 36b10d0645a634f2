"""The demo survey on a phone (360 px): a resident opens it from its QR link and answers in Japanese
without a code (keyboard for the first question, back and forward keep answers, a conditional question
appears only when it applies); another opens the personal QR link of an invitation code and answers in
English. Both count on the one survey."""

from __future__ import annotations

import io

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def survey_site(live_asgi):
    from cms.demo import seed_pages
    from surveys.demo import seed_surveys
    from surveys.models import SurveyPage

    seed_pages(stdout=io.StringIO())
    seed_surveys(stdout=io.StringIO())
    live_asgi.survey = SurveyPage.objects.get(slug="satisfaction-survey", locale__language_code="ja")
    return live_asgi


def phone(browser, locale="ja-JP"):
    return browser.new_context(viewport={"width": 360, "height": 780}, locale=locale)


def watch(page):
    errors = []
    # Script errors and CSP violations; a form answered with errors is a 400 response, which Chromium
    # logs as a failed resource load, and so is the absent favicon.
    page.on("console", lambda m: errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def answer_screens(page, labels, screenshot=None):
    district, age, satisfied, yes, no, health, transport = labels
    page.get_by_label(district, exact=True).check()
    page.get_by_label(age, exact=True).check()
    page.locator("[name=years]").fill("12")
    no_sideways_scroll(page)
    page.locator("button[name=next]").click()
    page.locator("#q-overall").get_by_text("4", exact=True).click()
    for row in ("waste", "parks", "roads", "childcare", "disaster"):
        page.locator(f"input[name=services__{row}][value='4']").check()
    visited_on = page.locator("#q-visited_on")
    page.get_by_label(no, exact=True).check()
    expect(visited_on).to_be_hidden()  # the follow-up question applies only to "yes"
    page.get_by_label(yes, exact=True).check()
    expect(visited_on).to_be_visible()
    page.get_by_label(no, exact=True).check()
    no_sideways_scroll(page)
    if screenshot:
        page.screenshot(path=screenshot, full_page=True)
    page.locator("button[name=next]").click()
    page.get_by_label(health, exact=True).check()
    page.get_by_label(transport, exact=True).check()
    for item, rank in (("web", "1"), ("line", "2"), ("bulletin", "3"), ("board", "4")):
        page.select_option(f"select[name=channels__{item}]", rank)
    page.locator("button[name=next]").click()
    page.locator("[name=comment]").fill("<b>歩道</b>を広げて")
    page.locator("button[name=next]").click()


def test_demo_survey_on_a_phone_with_and_without_a_code(browser, survey_site, artifacts_dir):
    from surveys.codes import format_code
    from surveys.models import InvitationCode, Response

    base, survey = survey_site.url, survey_site.survey
    before = Response.objects.filter(survey=survey).count()

    # 1. Japanese, from the poster's QR link, no code.
    context = phone(browser)
    page = context.new_page()
    errors = watch(page)
    page.goto(base + survey.url)
    expect(page.locator("h1")).to_have_text("みらい市 市民満足度調査")
    page.get_by_role("link", name="回答を始める").click()
    expect(page.locator("#survey-progress-label")).to_contain_text("1")
    # Keyboard: focus the first district choice and move with the arrow key (radio group).
    page.locator("input[name=district]").first.focus()
    page.keyboard.press("ArrowDown")
    assert page.locator("input[name=district]:checked").get_attribute("value") == "minami"
    # An error first: nothing chosen for age -> error summary with a link to the question.
    page.locator("button[name=next]").click()
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator("#error-summary a[href='#q-age_band']")).to_be_visible()
    answer_screens(page, ("南町", "30〜39歳", "満足", "はい", "いいえ", "医療・福祉", "公共交通"),
                   screenshot=str(artifacts_dir / "survey-scales-phone.png"))
    expect(page.locator("h1")).to_have_text("回答内容の確認")
    assert "<b>歩道</b>を広げて" in page.locator(".review-list").inner_text()  # typed markup shown as text
    # Change an answer from the review page; the screen shows what was given.
    page.locator(".review-list a").first.click()
    expect(page.locator("input[name=district][value=minami]")).to_be_checked()
    page.get_by_label("北町", exact=True).check()
    for _ in range(4):
        page.locator("button[name=next]").click()
    page.screenshot(path=str(artifacts_dir / "survey-review-phone.png"), full_page=True)
    page.get_by_role("button", name="回答を送信する").click()
    expect(page.locator("h1")).to_contain_text("ありがとうございました")
    assert errors == []
    context.close()

    # 2. English, from the personal QR link on an invitation letter.
    code = InvitationCode.objects.filter(survey=survey, used_at__isnull=True).first()
    english = survey.get_translation(survey.locale.__class__.objects.get(language_code="en"))
    context = phone(browser, locale="en-GB")
    page = context.new_page()
    errors = watch(page)
    page.goto(f"{base}{english.url}?code={format_code(code.code)}")
    expect(page.locator("#invitation-code")).to_have_value(format_code(code.code))
    page.get_by_role("button", name="Use this code and start").click()
    expect(page.locator("legend.question-text").first).to_contain_text("Your district")
    answer_screens(page, ("Kita", "30-39", "Satisfied", "Yes", "No", "Health and welfare", "Public transport"))
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.locator("h1")).to_contain_text("Thank you")
    assert errors == []
    context.close()

    assert Response.objects.filter(survey=survey).count() == before + 2
    assert set(Response.objects.filter(survey=survey).order_by("-pk").values_list("language", flat=True)[:2]) == {"ja", "en"}
    assert InvitationCode.objects.get(pk=code.pk).used_at is not None
