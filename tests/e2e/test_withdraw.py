"""Issue 12, sharp edge 3: withdrawing a proposal takes a second step (without JavaScript too) and can be
undone for a while."""

import pytest

from tests.e2e.test_proposals_live import session_cookie
from tests.proposals.factories import make_proposal

pytestmark = pytest.mark.browser


def test_withdraw_asks_first_and_can_be_undone(browser, live_asgi, open_consultation, resident):
    from proposals.models import Proposal, ProposalState

    proposal = make_proposal(open_consultation, resident, title="夜の公園に照明を")
    context = browser.new_context(viewport={"width": 360, "height": 780}, locale="ja-JP", java_script_enabled=False)
    context.add_cookies([session_cookie(resident, live_asgi.url)])
    page = context.new_page()
    page.goto(live_asgi.url + proposal.get_absolute_url())
    page.get_by_role("link", name="取り下げる").click()
    # One tap only leads to the question; nothing has happened yet.
    assert Proposal.objects.get(pk=proposal.pk).state == ProposalState.PUBLISHED
    assert "取り下げますか" in page.locator("h1").inner_text()
    page.get_by_role("button", name="取り下げる").click()
    page.wait_for_url(f"**{proposal.get_absolute_url()}")
    assert Proposal.objects.get(pk=proposal.pk).state == ProposalState.WITHDRAWN
    # Undo is offered right there, and brings the proposal back as it was.
    page.get_by_role("button", name="取り下げを取り消す").click()
    page.wait_for_url(f"**{proposal.get_absolute_url()}")
    assert Proposal.objects.get(pk=proposal.pk).state == ProposalState.PUBLISHED
    assert page.get_by_role("button", name="取り下げを取り消す").count() == 0
    context.close()
