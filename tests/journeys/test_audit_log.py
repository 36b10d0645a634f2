"""Issue 12 (smaller edge): moderators read the audit log (it answered them 403), and every surface that
offers it checks the one permission name; entries name the person and the item ("コメント「…」",
"ユーザー「山田花子」") in Japanese, and in English under /en/, never "comment #150" or "user #18"."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from participation.moderation import services as moderation
from tests.participation.helpers import make_comment, make_proposal

pytestmark = pytest.mark.django_db



def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_moderators_read_the_audit_log_and_are_offered_it(moderator, resident, council_member):
    assert moderator.has_perm("participation.view_audit_log")
    assert not resident.has_perm("participation.view_audit_log")
    assert not council_member.has_perm("participation.view_audit_log")
    client = client_for(moderator)
    assert client.get(reverse("moderation:audit_log")).status_code == 200
    assert client.get(reverse("moderation:audit_log_csv")).status_code == 200
    queue = client.get(reverse("moderation:queue")).content.decode()
    assert reverse("moderation:audit_log") in queue  # the moderation tabs and the site menu offer it
    assert client_for(resident).get(reverse("moderation:audit_log")).status_code == 403


def test_entries_show_names_and_titles_in_japanese_and_english(open_consultation, user_factory, moderator):
    author = user_factory("hanako", display_name="山田花子")
    proposal = make_proposal(author, open_consultation, title="駅前に駐輪場を")
    comment = make_comment(proposal, author, body="夜は暗くて危ないです。")
    moderation.item_hide(actor=moderator, kind="comment", object_id=comment.pk, reason="個人情報")
    moderation.user_block(actor=moderator, user_id=author.pk, reason="荒らし")
    client = client_for(moderator)

    html = client.get(reverse("moderation:audit_log")).content.decode()
    assert "コメント「夜は暗くて危ないです。」" in html
    assert "ユーザー「山田花子」" in html
    assert f"comment #{comment.pk}" not in html and f"user #{author.pk}" not in html

    with translation.override("en"):
        url = reverse("moderation:audit_log")
    assert url.startswith("/en/")
    html = client.get(url).content.decode()
    assert "Comment “夜は暗くて危ないです。”" in html
    assert "User “山田花子”" in html
    assert "ユーザー" not in html and "コメント「" not in html
