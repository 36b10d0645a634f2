"""Issue 12, last sharp edges (4): the moderation queue and the item page name what they show the way the audit
log does ("コメント「…」", "ユーザー「山田花子」"; "Comment “…”" under /en/), never "コメント #150"; the audit-log
CSV keeps the machine key of the item type and gives a readable name beside it."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from participation.moderation import services as moderation
from tests.participation.helpers import make_comment, make_proposal

pytestmark = pytest.mark.django_db



@pytest.fixture
def flagged(open_consultation, user_factory, moderator):
    author = user_factory("hanako", display_name="山田花子")
    flagger = user_factory("flagger1")
    proposal = make_proposal(author, open_consultation, title="駅前に駐輪場を")
    comment = make_comment(proposal, author, body="夜は暗くて危ないです。")
    moderation.flag_create(user=flagger, kind="comment", object_id=comment.pk, reason="spam", details="")
    moderation.flag_create(user=flagger, kind="user", object_id=author.pk, reason="spam", details="")
    return author, comment


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def _en(name: str, *args) -> str:
    with translation.override("en"):
        return reverse(name, args=args)


def test_queue_and_item_page_name_the_item(flagged, moderator):
    author, comment = flagged
    client = _client(moderator)
    queue = client.get(reverse("moderation:queue")).content.decode()
    assert "コメント「夜は暗くて危ないです。」" in queue and "ユーザー「山田花子」" in queue
    assert f"#{comment.pk}<" not in queue and f"#{author.pk}<" not in queue
    item = client.get(reverse("moderation:item", args=["comment", comment.pk])).content.decode()
    assert "<title>確認: コメント「夜は暗くて危ないです。」" in item
    assert "<h1>確認: コメント「夜は暗くて危ないです。」</h1>" in item
    assert f"コメント #{comment.pk}" not in item

    queue = client.get(_en("moderation:queue")).content.decode()
    assert "Comment “夜は暗くて危ないです。”" in queue and "User “山田花子”" in queue and "コメント「" not in queue
    item = client.get(_en("moderation:item", "user", author.pk)).content.decode()
    assert "<h1>Review: User “山田花子”</h1>" in item and f"user #{author.pk}" not in item


def test_a_long_text_is_shortened_in_the_name(open_consultation, user_factory, moderator):
    author = user_factory("taro")
    proposal = make_proposal(author, open_consultation)
    comment = make_comment(proposal, author, body="長い" * 100)
    html = _client(moderator).get(reverse("moderation:item", args=["comment", comment.pk])).content.decode()
    assert "<h1>確認: コメント「" + "長い" * 39 + "長…」</h1>" in html


def test_audit_csv_has_a_readable_type_beside_the_key(flagged, moderator):
    author, comment = flagged
    moderation.item_hide(actor=moderator, kind="comment", object_id=comment.pk, reason="個人情報")
    moderation.user_block(actor=moderator, user_id=author.pk, reason="荒らし")
    client = _client(moderator)
    rows = _csv_rows(client.get(reverse("moderation:audit_log_csv")))
    assert {(r["target_kind"], r["target_type"]) for r in rows} == {("comment", "コメント"), ("user", "ユーザー")}
    header = list(rows[0])
    assert header.index("target_type") == header.index("target_kind") + 1
    rows = _csv_rows(client.get(_en("moderation:audit_log_csv")))
    assert {(r["target_kind"], r["target_type"]) for r in rows} == {("comment", "Comment"), ("user", "user")}
