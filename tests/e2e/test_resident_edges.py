"""Issue 12, what a resident sees on a phone (360 px, Japanese), on a server run as bin/serve runs the demo
(DEBUG=1, TECHNICAL_404=0):
- a reply takes no stance unless its author gives one (it used to be labelled 中立 always);
- after a moderator blocks an author and hides their past posts, the proposal's address says it was hidden
  by moderation, and the resident who commented on it finds the comment on "わたしの活動" with a note;
- an unknown address shows the site's own 404 page, not Django's technical one."""

from __future__ import annotations

import pytest

from participation.moderation import services as moderation
from tests.conftest import start_asgi_server
from tests.e2e.test_accessibility import SCREENSHOTS, serious_problems
from tests.e2e.test_proposals_live import session_cookie
from tests.proposals.factories import make_comment, make_proposal

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_server(transactional_db, tmp_path):
    server = start_asgi_server(tmp_path, TECHNICAL_404="0")
    yield server
    server.process.terminate()
    server.process.wait(timeout=10)


def test_reply_stance_hidden_proposal_trace_and_404(browser, demo_server, open_consultation, resident, other_resident,
                                                      moderator):
    proposal = make_proposal(open_consultation, resident, title="宣伝のための提案タイトル", body="宣伝です。")
    top = make_comment(proposal, resident, body="まずは自分で賛成します。", stance="for")
    context = browser.new_context(viewport={"width": 360, "height": 780}, locale="ja-JP", bypass_csp=True)
    context.add_cookies([session_cookie(other_resident, demo_server.url)])
    page = context.new_page()

    # A reply: "立場なし" is chosen for the resident, and the reply carries no stance label.
    page.goto(f"{demo_server.url}{proposal.get_absolute_url()}")
    reply = page.locator(f"#comment-{top.pk} details.reply")
    reply.locator("summary").click()
    assert reply.get_by_role("radio", name="立場なし").is_checked()
    reply.get_by_label("返信の内容").fill("開館時間は何時までの案ですか？")
    reply.get_by_role("button", name="返信する").click()
    posted = page.locator("li.comment.depth-2", has_text="開館時間は何時までの案ですか？")
    posted.wait_for()
    assert posted.locator(".stance").count() == 0
    assert page.locator(f"#comment-{top.pk} > .meta .stance").inner_text() == "賛成"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # The moderator blocks the author and hides their past posts.
    moderation.user_block(actor=moderator, user_id=resident.pk, reason="宣伝の繰り返し", hide_past=True)
    response = page.goto(f"{demo_server.url}{proposal.get_absolute_url()}")
    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "この提案はモデレーションにより非表示になりました"
    assert "宣伝のための提案タイトル" not in page.content()
    assert serious_problems(page) == []
    page.get_by_role("link", name="わたしの活動を見る").click()
    page.wait_for_url("**/me/activity/")
    mine = page.locator(".activity-item", has_text="開館時間は何時までの案ですか？")
    assert "返信先の提案はモデレーションにより非表示になりました" in mine.inner_text()
    assert serious_problems(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # Any unknown address: the site's own page, with its header, not the list of URL patterns.
    response = page.goto(f"{demo_server.url}/no/such/page/")
    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "ページが見つかりません"
    assert "URLconf" not in page.content()
    context.close()


def test_consultation_cards_show_a_picture_on_a_phone(browser, live_asgi, demo_pages, artifacts_dir):
    """Home page at 360 px: each consultation card opens with its picture (drawn by the demo seeder) and its
    alt text, or a drawing in the phase's colour where none was chosen; nothing scrolls sideways."""
    import io

    from cms.demo import CARD_PICTURES, seed_card_images

    seed_card_images(stdout=io.StringIO())
    without = demo_pages[2]
    without.image = None
    without.save_revision().publish()
    context = browser.new_context(viewport={"width": 360, "height": 780}, locale="ja-JP", bypass_csp=True)
    page = context.new_page()
    page.goto(live_asgi.url + "/")
    cards = page.locator(".consultation-card")
    assert cards.count() == 3
    for i in range(3):
        card = cards.nth(i)
        media = card.locator(".card-media")
        box, title_box = media.bounding_box(), card.locator("h3").bounding_box()
        assert box["height"] >= 150 and box["y"] < title_box["y"]  # a 16:9 picture above the title
        if card.locator("img").count():
            card.locator("img").scroll_into_view_if_needed()
            page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=card.locator("img").element_handle())
            assert card.locator("img").get_attribute("alt") in {alt for alt, _en in CARD_PICTURES.values()}
        else:
            assert without.title in card.inner_text() and card.locator("svg.card-placeholder").count() == 1
            card.screenshot(path=str(artifacts_dir / "consultation-card-placeholder.png"))
    assert page.locator(".consultation-card img").count() == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert serious_problems(page) == []
    page.evaluate("window.scrollTo(0, document.getElementById('featured-title').getBoundingClientRect().top + window.scrollY - 8)")
    page.wait_for_function("[...document.querySelectorAll('.consultation-card img')].every(i => i.complete && i.naturalWidth)")
    page.screenshot(path=str(SCREENSHOTS / "phone-ja-home-cards.png"), full_page=False)
    context.close()
