"""Issue 12, last sharp edges: the English proposal page names (and links to) the English copy of its consultation
within the detail page's query budget (2); every page links the web app manifest once (3)."""

from __future__ import annotations

from html import escape

import pytest
from django.test import Client
from wagtail.models import Locale

from tests.proposals.factories import make_proposal
from tests.proposals.test_query_budget import DETAIL_ANONYMOUS, DETAIL_SIGNED_IN

pytestmark = pytest.mark.django_db



def test_english_proposal_page_names_the_english_consultation(open_consultation, resident,
                                                            django_assert_max_num_queries):
    proposal = make_proposal(open_consultation, resident, title="図書館の開館時間を延ばしてほしい")
    english = open_consultation.get_translation(Locale.objects.get(language_code="en"))
    assert english.title != open_consultation.title
    signed_in = Client()
    signed_in.force_login(resident)
    for client, budget in ((Client(), DETAIL_ANONYMOUS), (signed_in, DETAIL_SIGNED_IN)):
        client.get(f"/en/proposals/{proposal.pk}/")
        with django_assert_max_num_queries(budget):
            html = client.get(f"/en/proposals/{proposal.pk}/").content.decode()
        assert f'<a href="{english.url}">{escape(english.title)}</a>' in html
        assert escape(open_consultation.title) not in html
    form = signed_in.get(f"/en/proposals/new/{open_consultation.pk}/").content.decode()
    assert f'<a href="{english.url}">{escape(english.title)}</a>' in form
    japanese = Client(HTTP_ACCEPT_LANGUAGE="ja").get(f"/proposals/{proposal.pk}/").content.decode()
    assert f'<a href="{open_consultation.url}">{escape(open_consultation.title)}</a>' in japanese


def test_english_title_follows_an_edit_of_the_english_copy(open_consultation, resident):
    proposal = make_proposal(open_consultation, resident)
    english = open_consultation.get_translation(Locale.objects.get(language_code="en"))
    Client().get(f"/en/proposals/{proposal.pk}/")  # cached under the stamps
    english.title = "Parks for everyone (revised)"
    english.save_revision().publish()
    assert "Parks for everyone (revised)" in Client().get(f"/en/proposals/{proposal.pk}/").content.decode()


@pytest.mark.parametrize("path", ["/", "/en/"])
def test_the_manifest_is_linked_once(demo_pages, path):
    html = Client(HTTP_ACCEPT_LANGUAGE="ja").get(path).content.decode()
    assert html.count('rel="manifest"') == 1
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html


def test_no_project_app_registers_in_the_django_admin(client):
    """/django-admin/ stays mounted for what installed libraries register there (issue 12: remove it only when
    empty); the project's own apps register nothing there (staff use the Wagtail admin)."""
    from django.contrib import admin

    project = {"participation", "cms", "proposals", "reports_map", "accountability", "surveys", "ml", "outreach"}
    registered = {model._meta.app_config.name.split(".")[0] for model in admin.site._registry}
    assert registered and not registered & project
    assert client.get("/django-admin/login/").status_code == 200
