"""While a resident writes a proposal, the form suggests existing proposals of similar meaning.

Served as under `make run`: the server queues the draft, the suggestions worker embeds it, the form
asks again (HTTP 202) and then lists the proposals. Nothing blocks typing or submitting.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from playwright.sync_api import expect

from tests.proposals.factories import make_proposal

pytestmark = pytest.mark.browser


def session_cookie(user, url):
    client = Client()
    client.force_login(user)
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": url}


def test_the_form_suggests_similar_proposals(
    browser, live_with_suggestions_worker, open_consultation, resident, other_resident, artifacts_dir
):
    url = live_with_suggestions_worker.server.url
    similar = make_proposal(
        open_consultation, other_resident, title="公園の遊具を新しくしてほしい", body="滑り台が古くて危ないです。"
    )
    make_proposal(
        open_consultation, other_resident, title="バスの本数を増やしてほしい", body="夕方の便が少なくて困っています。"
    )
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ja-JP")
    context.add_cookies([session_cookie(resident, url)])
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    statuses = []
    page.on("response", lambda r: statuses.append(r.status) if "/similar?" in r.url else None)
    page.goto(f"{url}/proposals/new/{open_consultation.pk}/")

    page.fill("#id_title", "公園の滑り台が古いので新しくして")
    suggestions = page.locator("#similar-proposals")
    expect(suggestions.get_by_role("link", name=similar.title)).to_be_visible(timeout=60_000)
    expect(suggestions.get_by_role("heading")).to_have_text("似ている提案")
    assert suggestions.get_by_role("link").count() == 1  # the bus proposal is not similar
    assert statuses[0] == 202 and statuses[-1] == 200  # queued, then answered by meaning
    page.screenshot(path=str(artifacts_dir / "proposal-similar-suggestions-phone.png"), full_page=True)

    page.fill("#id_body", "子どもが安心して遊べるようにしてください。")
    page.get_by_role("button", name="提案を公開する").click()
    page.wait_for_url(re.compile(r"/proposals/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("公園の滑り台が古いので新しくして")
    assert errors == []
    context.close()
