"""Issue 12 (smaller edges): a Japanese title gave a long %-encoded address; now a page whose slug would not
be ASCII gets a numbered one (consultation-4). A slug taken by an abandoned (autosaved) draft was refused with
Wagtail's English message; now the message is Japanese, names the draft and says what to do, and a numbered
slug steps past such a draft."""

from __future__ import annotations

import urllib.parse
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from wagtail.models import Page
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from cms.models import ConsultationIndexPage, ConsultationPage, ContentPage, HomePage

pytestmark = pytest.mark.django_db

TITLE = "コミュニティバス路線の見直し（第2回）"


def staff_client(staff_user) -> Client:
    staff_user.is_superuser = True
    staff_user.preferred_language = "ja"
    staff_user.save()
    client = Client(HTTP_ACCEPT_LANGUAGE="ja")
    client.force_login(staff_user)
    return client


def content_page_data(title: str, slug: str) -> dict:
    return nested_form_data({"title": title, "slug": slug, "body": streamfield([]), "action-publish": "publish"})


def consultation_data(title: str, slug: str) -> dict:
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    fmt = "%Y-%m-%d %H:%M"
    return nested_form_data({
        "title": title, "slug": slug, "summary": "路線とダイヤの見直しについて意見を募集します。", "body": streamfield([]),
        "supports_per_user": 0, "proposals_per_user": 0, "support_threshold": 0,
        "map_latitude": 35.68, "map_longitude": 139.76, "map_zoom": 13,
        "categories": inline_formset([]),
        "phases": inline_formset([{"kind": "proposals", "title": "", "starts_at": start.strftime(fmt),
                                   "ends_at": (start + timedelta(days=20)).strftime(fmt)}]),
        "action-publish": "publish",
    })


def test_japanese_title_gets_a_short_numbered_address(demo_pages, staff_user):
    client = staff_client(staff_user)
    index = ConsultationIndexPage.objects.filter(locale__language_code="ja").first()
    form = client.get(f"/admin/pages/add/cms/consultationpage/{index.pk}/").content.decode()
    assert "番号付きのアドレス" in form and "consultation-" in form  # the slug field offers it
    before = len(urllib.parse.quote(TITLE))  # what Wagtail's slug from this title costs in a URL
    response = client.post(f"/admin/pages/add/cms/consultationpage/{index.pk}/", consultation_data(TITLE, TITLE))
    assert response.status_code == 302, (response.context["form"].errors, [f.errors for f in response.context["form"].formsets.values()])
    page = ConsultationPage.objects.get(title=TITLE, locale__language_code="ja")
    siblings = index.get_children().type(ConsultationPage).count()
    assert page.slug == f"consultation-{siblings}" and page.slug.isascii()
    assert len(page.slug) < 20 < before
    assert Client().get(page.url).status_code == 200

    home = HomePage.objects.filter(locale__language_code="ja").first()
    response = client.post(f"/admin/pages/add/cms/contentpage/{home.pk}/", content_page_data("個人情報の取り扱い", ""))
    assert response.status_code == 302
    assert ContentPage.objects.get(title="個人情報の取り扱い", locale__language_code="ja").slug.startswith("page-")


def test_a_typed_ascii_slug_is_kept(demo_pages, staff_user):
    client = staff_client(staff_user)
    home = HomePage.objects.filter(locale__language_code="ja").first()
    response = client.post(f"/admin/pages/add/cms/contentpage/{home.pk}/", content_page_data("個人情報の取り扱い", "privacy"))
    assert response.status_code == 302
    assert ContentPage.objects.get(title="個人情報の取り扱い", locale__language_code="ja").slug == "privacy"


def test_an_abandoned_draft_is_named_in_japanese_and_does_not_block_numbered_slugs(demo_pages, staff_user):
    client = staff_client(staff_user)
    home = HomePage.objects.filter(locale__language_code="ja").first()
    draft = home.add_child(instance=ContentPage(title="予算のページ（書きかけ）", slug="budget", live=False))
    assert draft.first_published_at is None
    count = Page.objects.count()

    response = client.post(f"/admin/pages/add/cms/contentpage/{home.pk}/", content_page_data("予算", "budget"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "予算のページ（書きかけ）" in body and "下書き" in body and "削除" in body
    assert f"/admin/pages/{draft.pk}/delete/" in body
    assert "already in use" not in body and "validation errors" not in body  # Wagtail's own message too
    assert Page.objects.count() == count  # nothing stored

    # a numbered slug steps past a draft that took the next number
    taken = f"page-{home.get_children().type(ContentPage).count() + 1}"
    home.add_child(instance=ContentPage(title="書きかけ", slug=taken, live=False))
    response = client.post(f"/admin/pages/add/cms/contentpage/{home.pk}/", content_page_data("ごみの出し方", "ごみの出し方"))
    assert response.status_code == 302
    slug = ContentPage.objects.get(title="ごみの出し方", locale__language_code="ja").slug
    assert slug.startswith("page-") and slug != taken


def test_wagtails_own_slug_messages_are_japanese():
    from django.utils import translation

    with translation.override("ja"):
        form_message = translation.gettext("The slug '%(page_slug)s' is already in use within the parent page.")
        model_message = translation.gettext(
            "The slug '%(page_slug)s' is already in use within the parent page at '%(parent_url_path)s'.")
    assert "%(page_slug)s" in form_message and "別の" in form_message
    assert "%(parent_url_path)s" in model_message and "別の" in model_message


def test_page_types_of_other_apps_get_numbered_slugs_too(demo_pages):
    """surveys.SurveyPage declares no form of its own; cms gives it the same slug handling (no import of cms)."""
    from surveys.models import SurveyPage

    home = HomePage.objects.filter(locale__language_code="ja").first()
    form_class = SurveyPage.get_edit_handler().get_form_class()
    form = form_class(instance=SurveyPage(), parent_page=home, for_user=None)
    form.cleaned_data = {"slug": "子育てアンケート"}
    assert form.clean_slug() == f"survey-{home.get_children().type(SurveyPage).count() + 1}"


def test_an_existing_japanese_address_is_kept_when_the_page_is_edited(demo_pages):
    home = HomePage.objects.filter(locale__language_code="ja").first()
    old = home.add_child(instance=ContentPage(title="お知らせ", slug="お知らせ"))
    form_class = ContentPage.get_edit_handler().get_form_class()
    form = form_class(instance=old, parent_page=home, for_user=None)
    form.cleaned_data = {"slug": "お知らせ"}
    assert form.clean_slug() == "お知らせ"  # links already given out keep working
    form.cleaned_data = {"slug": "お知らせ2"}
    assert form.clean_slug().startswith("page-")  # a new Japanese slug becomes a numbered one
