"""Issue 12: axe-core (vendored in tests/e2e/axe/, injected by the test) finds no serious or critical problem
on the ten key pages, in Japanese and English, and nothing scrolls sideways at 360 px. The same run takes the
screenshots in docs/screenshots/ (phone Japanese, phone English, desktop dashboard) that the README shows."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.conftest import make_user
from tests.e2e.test_reports_flow import ONE_PIXEL_PNG

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "axe" / "axe.min.js"
SCREENSHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots"


def cookie(user, url):
    client = Client()
    client.force_login(user)
    return {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": url}


@pytest.fixture
def city(live_asgi, open_consultation):
    from cms.demo import seed_card_images
    from participation.core.predicates import COUNCIL, MODERATOR, RESIDENT, STAFF
    from proposals.services import comment_create, proposal_create, support_add
    from reports_map.demo import seed_categories
    from reports_map.models import Category
    from reports_map.services import report_create

    seed_categories()
    seed_card_images(stdout=io.StringIO())  # the consultation cards' pictures, as in the demo
    resident = make_user("hanako", RESIDENT, display_name="はなこ")
    neighbour = make_user("taro", RESIDENT, display_name="たろう")
    make_user("mod", RESIDENT, MODERATOR, display_name="モデレーター")
    make_user("councillor", RESIDENT, COUNCIL, display_name="議員")
    make_user("clerk", RESIDENT, STAFF, is_staff=True, display_name="市職員")
    proposal = proposal_create(author=resident, consultation=open_consultation, title="駅前の駐輪場を広げてほしい",
                               body="朝は自転車を止める場所がありません。屋根のある駐輪場を増やしてください。")
    proposal_create(author=neighbour, consultation=open_consultation, title="公園に日陰のベンチを",
                    body="夏の午後は座れる場所がありません。")
    support_add(proposal=proposal, user=neighbour)
    comment_create(proposal=proposal, author=neighbour, body="賛成です。雨の日は特に困ります。", stance="for")
    lat, lon = settings.CITY["center"]
    report = report_create(author=resident, category=Category.objects.get(service_code="road-pothole"),
                           latitude=lat, longitude=lon, description="歩道に深い穴があり、つまずきそうです。")
    live_asgi.proposal, live_asgi.report, live_asgi.consultation = proposal, report, open_consultation
    return live_asgi


def pages(city, language):
    """(name, path, who) for the ten key pages."""
    with translation.override(language):
        consultation = city.consultation
        if language == "en":
            from wagtail.models import Locale

            consultation = consultation.get_translation(Locale.objects.get(language_code="en"))
        return [
            ("home", "/en/" if language == "en" else "/", None),
            ("consultation", consultation.url, None),
            ("proposal", reverse("proposals:detail", args=[city.proposal.pk]), "hanako"),
            ("proposal-form", reverse("proposals:create", args=[city.consultation.pk]), "hanako"),
            ("report-form", reverse("reports_map:new"), "hanako"),
            ("reports-map", reverse("reports_map:list"), None),
            ("report", reverse("reports_map:detail", args=[city.report.pk]), "hanako"),
            ("dashboard", reverse("dashboard:index"), "councillor"),
            ("moderation-queue", reverse("moderation:queue"), "mod"),
            ("sign-up", reverse("account_signup"), None),
        ]


def new_context(browser, city, who, language, width=360, height=780):
    from participation.models import User

    context = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=True,
                                  locale="en-GB" if language == "en" else "ja-JP")
    context.route(re.compile(r"^https?://[^/]*tile[^/]*/"),
                  lambda route: route.fulfill(status=200, content_type="image/png", body=ONE_PIXEL_PNG))
    if who:
        context.add_cookies([cookie(User.objects.get(username=who), city.url)])
    return context


def serious_problems(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
          .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    return [json.dumps(v, ensure_ascii=False) for v in result]


@pytest.mark.parametrize("language", ["ja", "en"])
def test_key_pages_have_no_serious_problems_and_no_sideways_scroll(browser, city, language):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems, overflow = {}, {}
    contexts = {}
    for name, path, who in pages(city, language):
        context = contexts.get(who) or contexts.setdefault(who, new_context(browser, city, who, language))
        page = context.new_page()
        response = page.goto(city.url + path)
        assert response.status == 200, (name, path, response.status)
        page.wait_for_load_state("networkidle")
        if language == "en":
            assert page.evaluate("document.documentElement.lang") == "en", (name, path)
        found = serious_problems(page)
        if found:
            problems[name] = found
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 360:
            overflow[name] = width
        if name in {"home", "consultation", "proposal", "report-form"}:
            page.screenshot(path=str(SCREENSHOTS / f"phone-{language}-{name}.png"), full_page=False)
        page.close()
    for context in contexts.values():
        context.close()
    assert not problems, problems
    assert not overflow, overflow


def test_desktop_dashboard_screenshot(browser, city):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = new_context(browser, city, "councillor", "ja", width=1280, height=900)
    page = context.new_page()
    page.goto(city.url + reverse("dashboard:index"))
    page.wait_for_load_state("networkidle")
    assert serious_problems(page) == []
    page.screenshot(path=str(SCREENSHOTS / "desktop-ja-dashboard.png"), full_page=True)
    context.close()
