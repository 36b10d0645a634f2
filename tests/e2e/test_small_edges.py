"""Issue 12, smaller edges a person meets: after a failed submit focus is on the error summary (not <body>);
the language switch keeps the #fragment; the small comment actions are 44 px targets."""

import pytest

from tests.e2e.test_proposals_live import session_cookie
from tests.proposals.factories import make_comment, make_proposal

pytestmark = pytest.mark.browser


def test_focus_fragment_and_targets(browser, live_asgi, open_consultation, resident, other_resident):
    proposal = make_proposal(open_consultation, resident, title="図書館の開館時間を延ばしてほしい")
    make_comment(proposal, resident, body="平日の夜にも開いていると助かります。")
    context = browser.new_context(viewport={"width": 360, "height": 780}, locale="ja-JP")
    context.add_cookies([session_cookie(other_resident, live_asgi.url)])
    page = context.new_page()

    page.goto(f"{live_asgi.url}/proposals/new/{open_consultation.pk}/")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()
    assert page.evaluate("document.activeElement.classList.contains('form-errors')")

    page.goto(f"{live_asgi.url}{proposal.get_absolute_url()}#comments")
    for target in page.locator(".comment-actions .link-button, .comment-actions .flag-link").all():
        assert target.bounding_box()["height"] >= 44
    page.get_by_role("button", name="English").click()
    page.wait_for_url("**/en/**")
    assert page.url.endswith("#comments"), page.url
    context.close()
