"""Issue 12, sharp edge 5: the minimum fill time never refuses signed-in residents; for anonymous forms it
is one signal: a fast form is answered once, clearly, with its input kept, and goes through when sent again."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from participation.core.abuse import form_started_token
from participation.models import Flag, User
from tests.participation.helpers import make_comment, make_proposal

pytestmark = pytest.mark.django_db


def test_signed_in_resident_flags_within_three_seconds(settings, open_consultation, resident, other_resident):
    settings.FORM_MIN_FILL_SECONDS = 3
    comment = make_comment(make_proposal(other_resident, open_consultation), other_resident)
    client = Client()
    client.force_login(resident)
    url = reverse("moderation:flag", args=["comment", comment.pk])
    client.get(url)
    response = client.post(url, {"reason": "spam", "details": "同じ宣伝が何度も", "form_started": form_started_token()})
    assert response.status_code == 302
    assert Flag.objects.filter(user=resident).count() == 1


def test_fast_anonymous_sign_up_is_asked_once_keeps_input_and_then_goes_through(settings):
    settings.FORM_MIN_FILL_SECONDS = 3
    client = Client(HTTP_ACCEPT_LANGUAGE="ja")
    data = {"email": "autofill@example.jp", "display_name": "じどう", "password1": "a-long-Passphrase-2026",
            "password2": "a-long-Passphrase-2026", "preferred_language": "ja", "district": "北町"}
    first = client.post(reverse("account_signup"), {**data, "form_started": form_started_token()})
    body = first.content.decode()
    assert first.status_code == 200 and not User.objects.filter(email="autofill@example.jp").exists()
    assert "もう一度" in body and "入力した内容" in body  # says what to do, and that nothing was lost
    assert 'value="じどう"' in body and 'value="北町"' in body
    token = re.search(r'name="form_started" value="([^"]+)"', body).group(1)
    second = client.post(reverse("account_signup"), {**data, "form_started": token})
    assert second.status_code == 302
    assert User.objects.filter(email="autofill@example.jp").exists()


def test_honeypot_still_refuses_even_after_the_check(settings):
    settings.FORM_MIN_FILL_SECONDS = 3
    data = {"email": "bot@example.jp", "display_name": "bot", "password1": "a-long-Passphrase-2026",
            "password2": "a-long-Passphrase-2026", "preferred_language": "ja", "district": "",
            "website": "http://spam.example", "form_started": form_started_token(checked=True)}
    assert Client().post(reverse("account_signup"), data).status_code == 200
    assert not User.objects.filter(email="bot@example.jp").exists()
