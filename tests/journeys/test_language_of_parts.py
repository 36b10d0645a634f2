"""Words people wrote in another language than the page's carry their own ``lang`` (WCAG 3.1.2): a screen reader
reads a Japanese proposal on the English site in a Japanese voice, and an English comment on the Japanese site
in an English one."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from participation.templatetags.participation_tags import lang_of
from tests.proposals.factories import make_comment, make_proposal


@pytest.mark.parametrize(
    ("page", "text", "expected"),
    [
        ("en", "公園の遊具を直してほしいです。", ' lang="ja"'),
        ("ja", "公園の遊具を直してほしいです。", ""),
        ("ja", "Please fix the swings in the park before the summer.", ' lang="en"'),
        ("en", "Please fix the swings in the park before the summer.", ""),
        ("ja", "Der Radweg ist kaputt und gefährlich.", ""),  # neither site language: nothing claimed
        ("en", "", ""),
        ("en", None, ""),
    ],
)
def test_lang_of(page, text, expected):
    with translation.override(page):
        assert lang_of(text) == expected


@pytest.mark.django_db
def test_a_japanese_proposal_on_the_english_page_and_an_english_comment_on_the_japanese_one(
    open_consultation, resident, other_resident
):
    proposal = make_proposal(open_consultation, resident, title="図書館の開館時間を延ばしてほしい",
                             body="平日の夜も開いていると仕事帰りに使えます。")
    make_comment(proposal, other_resident, body="I agree: the library should stay open until nine on weekdays.")
    english = Client().get(f"/en/proposals/{proposal.pk}/").content.decode()
    assert '<h1 id="proposal-title" lang="ja">図書館の開館時間を延ばしてほしい</h1>' in english
    assert '<div class="proposal-body" lang="ja">' in english
    assert '<div class="comment-body">' in english  # English on the English page: nothing to mark
    japanese = Client().get(f"/proposals/{proposal.pk}/").content.decode()
    assert '<h1 id="proposal-title">図書館の開館時間を延ばしてほしい</h1>' in japanese
    assert '<div class="comment-body" lang="en">' in japanese
