"""Issue 12, staff and moderator edges in a real browser: the Wagtail admin reads Japanese (its scripts too:
"Collapse all", "Help"), staff add a report category with a question in the Wagtail admin, a Japanese title
gets a short numbered address and a draft's slug clash is explained in Japanese, a moderator reads the
audit log with names and titles, and a resident reads what deleting the account removes and keeps."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client

from tests.conftest import make_user

pytestmark = pytest.mark.browser


def cookie(user, url):
    client = Client()
    client.force_login(user)
    return {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": url}


def japanese_context(browser, live, user, width=1280, height=900):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="ja-JP")
    context.add_cookies([cookie(user, live.url)])
    return context


@pytest.fixture
def clerk(live_asgi):
    from participation.core.predicates import RESIDENT, STAFF

    user = make_user("clerk", RESIDENT, STAFF, is_staff=True, display_name="市職員")
    user.preferred_language = "ja"
    user.save()
    return user


def test_wagtail_editor_reads_japanese_and_staff_edit_categories(browser, live_asgi, open_consultation, clerk):
    context = japanese_context(browser, live_asgi, clerk)
    page = context.new_page()
    page.goto(f"{live_asgi.url}/admin/pages/{open_consultation.pk}/edit/")
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="すべて折りたたむ").first.wait_for()  # the minimap, drawn by Wagtail's script
    text = page.inner_text("body")
    assert "Collapse all" not in text and "Expand all" not in text
    page.get_by_role("button", name=re.compile("サイドバー")).first.wait_for(state="attached")
    assert page.get_by_text("ヘルプ").count() >= 1

    # report categories: the Wagtail admin's own menu entry, a question added inline
    page.goto(f"{live_asgi.url}/admin/")
    page.get_by_role("link", name="報告の種類").first.click()
    page.wait_for_url("**/admin/snippets/reports_map/category/")
    page.goto(f"{live_asgi.url}/admin/snippets/reports_map/category/add/")
    page.get_by_label("名前（日本語）").fill("街路樹")
    page.get_by_label("名前（英語）").fill("Street trees")
    page.get_by_label("Open311サービスコード").fill("street-tree")
    page.locator("#id_questions-ADD, button:has-text('追加の質問')").first.click()
    page.locator("input[name='questions-0-code']").fill("danger")
    page.locator("input[name='questions-0-description_ja'], textarea[name='questions-0-description_ja']").fill("危険がありますか？")
    page.locator("select[name='questions-0-datatype']").select_option("string")
    page.locator("footer button[type=submit]").first.click()
    page.wait_for_url("**/admin/snippets/reports_map/category/")
    from reports_map.models import Category

    assert list(Category.objects.get(service_code="street-tree").questions.values_list("code", flat=True)) == ["danger"]
    context.close()


def test_japanese_title_gets_a_numbered_address_and_a_draft_clash_is_explained(browser, live_asgi, demo_pages, clerk):
    from cms.models import ContentPage, HomePage

    home = HomePage.objects.filter(locale__language_code="ja").first()
    draft = home.add_child(instance=ContentPage(title="予算（書きかけ）", slug="budget", live=False))
    context = japanese_context(browser, live_asgi, clerk)
    page = context.new_page()
    page.goto(f"{live_asgi.url}/admin/pages/add/cms/contentpage/{home.pk}/")
    page.locator("#id_title").fill("予算")
    page.locator("#id_slug").evaluate("(el) => { el.value = 'budget'; }")
    page.locator("footer button[type=submit]").first.click()  # 下書き保存
    page.wait_for_load_state("networkidle")
    page.get_by_role("tab", name="プロモート").click()  # the slug field lives on Wagtail's promote tab
    body = page.inner_text("body")
    assert "予算（書きかけ）" in body and "下書き" in body and "already in use" not in body
    assert "Autosave is paused" not in body and "validation errors" not in body
    assert page.locator(f"a[href='/admin/pages/{draft.pk}/delete/']").count() >= 1

    page.goto(f"{live_asgi.url}/admin/pages/add/cms/contentpage/{home.pk}/")
    page.locator("#id_title").fill("ごみの出し方")
    page.locator("footer button[type=submit]").first.click()  # 下書き保存
    page.wait_for_load_state("networkidle")
    created = ContentPage.objects.get(title="ごみの出し方", locale__language_code="ja")
    assert re.fullmatch(r"page-\d+", created.slug), created.slug
    context.close()


def test_moderator_reads_the_audit_log_with_names(browser, live_asgi, open_consultation):
    from participation.core.predicates import MODERATOR, RESIDENT
    from participation.moderation import services as moderation
    from tests.proposals.factories import make_comment, make_proposal

    author = make_user("hanako", RESIDENT, display_name="山田花子")
    moderator = make_user("mod", RESIDENT, MODERATOR, display_name="モデレーター")
    comment = make_comment(make_proposal(open_consultation, author), author, body="夜は暗くて危ないです。")
    moderation.item_hide(actor=moderator, kind="comment", object_id=comment.pk, reason="個人情報")
    context = japanese_context(browser, live_asgi, moderator, width=390, height=844)
    page = context.new_page()
    page.goto(f"{live_asgi.url}/moderation/")
    page.get_by_role("link", name="監査ログ").first.click()
    page.wait_for_load_state()
    row = page.locator("table.audit-log tbody tr").first.inner_text()
    assert "コメント「夜は暗くて危ないです。」" in row and "モデレーター" in row
    assert f"comment #{comment.pk}" not in page.inner_text("body")
    context.close()


def test_delete_warning_lists_what_goes_and_what_stays(browser, live_asgi):
    from participation.core.predicates import RESIDENT

    resident = make_user("hanako", RESIDENT, display_name="はなこ")
    context = japanese_context(browser, live_asgi, resident, width=360, height=780)
    page = context.new_page()
    page.goto(f"{live_asgi.url}/me/data/")
    removed = page.locator("ul.delete-removed").inner_text()
    kept = page.locator("ul.delete-kept").inner_text()
    assert "賛同" in removed and "賛同数が減ります" in removed
    assert "退会したユーザー" in kept
    assert page.get_by_role("heading", name="削除されるもの").is_visible()
    assert page.get_by_role("heading", name="残るもの").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()
