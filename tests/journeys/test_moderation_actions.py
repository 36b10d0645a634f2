"""Issue 12 (smaller edge): the moderator's item page offers only the actions that fit the item's state, and
none is chosen in advance (it used to offer all five and preselect 非表示にする)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from participation.moderation import services as moderation
from tests.participation.helpers import make_comment, make_proposal

pytestmark = pytest.mark.django_db


def actions(html: str) -> list[str]:
    select = html.split('name="action"')[1].split("</select>")[0]
    return re.findall(r'<option value="([^"]*)"', select)


def test_item_page_offers_the_actions_that_fit(open_consultation, resident, other_resident, moderator):
    comment = make_comment(make_proposal(resident, open_consultation), other_resident)
    client = Client()
    client.force_login(moderator)
    url = reverse("moderation:item", args=["comment", comment.pk])
    html = client.get(url).content.decode()
    assert actions(html) == ["", "hide", "block"]  # visible, no open flags, author not blocked
    select = html.split('name="action"')[1].split("</select>")[0]
    assert re.findall(r'<option value="([^"]*)" selected', select) == [""]  # only the "choose" prompt
    moderation.item_hide(actor=moderator, kind="comment", object_id=comment.pk, reason="個人情報")
    assert actions(client.get(url).content.decode()) == ["", "unhide", "block"]
