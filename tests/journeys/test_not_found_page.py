"""Issue 12 (smaller edges): with the default DEBUG=1 a hidden proposal, or any unknown address, showed Django's
technical 404 page listing the URL patterns. The served site (bin/serve, so the demo of `make run`) sets
TECHNICAL_404=0 and shows the site's own 404 page; developers (manage.py runserver) keep the technical page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings

from participation.moderation import services as moderation
from tests.participation.helpers import make_proposal

pytestmark = pytest.mark.django_db

TECHNICAL = "Using the URLconf defined in"  # Django's technical 404 page


def get(path: str):
    return Client(HTTP_ACCEPT_LANGUAGE="ja").get(path)


@override_settings(DEBUG=True, TECHNICAL_404=False)
def test_with_debug_the_served_site_shows_its_own_404_page(open_consultation, resident, moderator):
    proposal = make_proposal(resident, open_consultation, title="隠される提案")
    moderation.item_hide(actor=moderator, kind="proposal", object_id=proposal.pk, reason="宣伝")
    for path in ("/proposals/999999/", "/reports/999999/", "/no/such/page/", "/no.such", "/en/no/such/page/"):
        response = get(path)
        html = response.content.decode()
        assert response.status_code == 404, path
        assert TECHNICAL not in html, path
        assert 'class="site-header"' in html, path  # the site's page, with its header and navigation
        assert re.search(r"ページが見つかりません|Page not found", html), path
    hidden = get(f"/proposals/{proposal.pk}/")
    assert hidden.status_code == 404 and TECHNICAL not in hidden.content.decode()
    assert "この提案はモデレーションにより非表示になりました" in hidden.content.decode()
    # The API keeps answering JSON.
    api = get("/api/v1/proposals/999999")
    assert api.status_code == 404 and api["Content-Type"].startswith("application/json")


@override_settings(DEBUG=True, TECHNICAL_404=True)
def test_developers_keep_the_technical_page():
    assert TECHNICAL in get("/proposals/999999/").content.decode()


@override_settings(DEBUG=False, TECHNICAL_404=True)
def test_without_debug_the_real_page_whatever_the_setting():
    response = get("/no/such/page/")
    assert response.status_code == 404 and TECHNICAL not in response.content.decode()


def test_bin_serve_turns_the_technical_page_off_unless_asked():
    serve = (Path(settings.BASE_DIR) / "bin" / "serve").read_text()
    assert 'export TECHNICAL_404="${TECHNICAL_404:-0}"' in serve
