"""Abuse protection: honeypot and minimum fill time on sign-up, admin login throttling, the translated 429
page, forged X-Forwarded-For, and the staff idle timeout."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse

from participation.core.abuse import AntiSpamFormMixin, form_started_token
from participation.models import User
from tests.participation.helpers import make_comment, make_proposal

ADMIN_THROTTLE = "participation.core.abuse.AdminLoginThrottleMiddleware"


def _with_throttle(middleware):
    """The throttle is in MIDDLEWARE already; never add it twice (each copy would count a request)."""
    return list(middleware) if ADMIN_THROTTLE in middleware else [*middleware, ADMIN_THROTTLE]


def signup_data(**extra):
    return {
        "email": "newcomer@example.jp", "display_name": "しんき", "password1": "a-long-Passphrase-2026",
        "password2": "a-long-Passphrase-2026", "preferred_language": "ja", "district": "", **extra,
    }


def test_signup_form_carries_the_hidden_honeypot(db):
    body = Client().get(reverse("account_signup")).content.decode()
    assert 'name="website"' in body and 'name="form_started"' in body
    assert 'aria-hidden="true"' in body and 'tabindex="-1"' in body


def test_signup_with_the_honeypot_filled_creates_nothing(db):
    response = Client().post(reverse("account_signup"), signup_data(website="http://spam.example"))
    assert response.status_code == 200
    assert not User.objects.filter(email="newcomer@example.jp").exists()
    assert "しんき" in response.content.decode()  # the input is kept


def test_signup_too_fast_is_refused_then_accepted(db, settings):
    settings.FORM_MIN_FILL_SECONDS = 3
    client = Client()
    response = client.post(reverse("account_signup"), signup_data(form_started=form_started_token()))
    assert response.status_code == 200
    assert not User.objects.filter(email="newcomer@example.jp").exists()
    response = client.post(reverse("account_signup"), signup_data(form_started="forged-token"))
    assert not User.objects.filter(email="newcomer@example.jp").exists()
    response = client.post(reverse("account_signup"), signup_data(form_started=form_started_token(time.time() - 5)))
    assert response.status_code == 302
    user = User.objects.get(email="newcomer@example.jp")
    assert user.display_name == "しんき"


def test_mixin_reusable_on_any_form(settings):
    from django import forms

    class ContactForm(AntiSpamFormMixin, forms.Form):
        message = forms.CharField()

    settings.FORM_MIN_FILL_SECONDS = 0
    assert ContactForm({"message": "hi"}).is_valid()
    assert not ContactForm({"message": "hi", "website": "x"}).is_valid()
    settings.FORM_MIN_FILL_SECONDS = 2
    assert not ContactForm({"message": "hi"}).is_valid()
    assert ContactForm({"message": "hi", "form_started": form_started_token(time.time() - 3)}).is_valid()
    unbound = ContactForm()
    assert "form_started" in [f.name for f in unbound.hidden_fields()]


@pytest.mark.parametrize("path", ["/admin/login/", "/django-admin/login/"])
def test_admin_login_is_throttled_per_ip(db, settings, path):
    settings.MIDDLEWARE = _with_throttle(settings.MIDDLEWARE)
    settings.RATE_LIMITS_ENABLED = True
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "admin_login": "3/300"}
    client = Client()
    codes = [client.post(path, {"username": f"guess{i}", "password": "x"}).status_code for i in range(5)]
    assert 429 not in codes[:3]
    assert codes[3:] == [429, 429]
    response = client.post(path, {"username": "another", "password": "x"})
    assert response.status_code == 429 and response["Retry-After"]
    assert client.get(path).status_code == 200  # the form itself stays readable


def test_admin_login_throttle_per_username_and_forged_forwarded_for(db, settings):
    settings.MIDDLEWARE = _with_throttle(settings.MIDDLEWARE)
    settings.RATE_LIMITS_ENABLED = True
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "admin_login": "2/300"}
    settings.TRUSTED_PROXY_COUNT = 1
    client = Client()
    proxy = "203.0.113.5"
    codes = [
        client.post("/admin/login/", {"username": "staff", "password": "x"},
                    HTTP_X_FORWARDED_FOR=f"198.51.100.{i}, {proxy}").status_code
        for i in range(3)
    ]
    assert codes[2] == 429  # the same client (address added by our proxy) despite a new left-most entry
    other_ip = client.post("/admin/login/", {"username": "staff", "password": "x"}, REMOTE_ADDR="192.0.2.1")
    assert other_ip.status_code == 429  # per username too


def test_rate_limited_html_page_is_translated(open_consultation, resident, other_resident, settings):
    settings.RATE_LIMITS_ENABLED = True
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "flag": "1/3600"}
    comment = make_comment(make_proposal(resident, open_consultation), resident)
    client = Client()
    client.force_login(other_resident)
    url = reverse("moderation:flag", args=["comment", comment.pk])
    assert client.post(url, {"reason": "spam"}).status_code == 302
    response = client.post(url, {"reason": "spam"})
    assert response.status_code == 429
    assert "Retry-After" in response
    response = client.post("/en" + url, {"reason": "spam"})
    assert response.status_code == 429 and "too often" in response.content.decode()


def test_staff_session_expires_after_idle_time(staff_user, council_member, resident, settings):
    settings.STAFF_SESSION_IDLE_SECONDS = 30 * 60
    for user, expires in ((staff_user, True), (council_member, True), (resident, False)):
        client = Client()
        client.force_login(user)
        assert client.get(reverse("participation:profile")).status_code == 200
        session = client.session
        if "_last_activity" in session:
            session["_last_activity"] = int(time.time()) - 31 * 60
            session.save()
        response = client.get(reverse("participation:profile"))
        assert (response.status_code == 302) == expires, user
        if expires:
            assert reverse("account_login") in response["Location"]
            assert "_auth_user_id" not in client.session


def test_staff_session_survives_activity_within_the_limit(staff_user, settings):
    client = Client()
    client.force_login(staff_user)
    client.get(reverse("participation:profile"))
    session = client.session
    session["_last_activity"] = int(time.time()) - 29 * 60
    session.save()
    assert client.get(reverse("participation:profile")).status_code == 200


def test_signup_token_is_single_use(db, settings):
    """A bot that fetched the form once cannot post its token again and again (issue 17)."""
    settings.FORM_MIN_FILL_SECONDS = 3
    token = form_started_token(time.time() - 5)
    client = Client()
    first = client.post(reverse("account_signup"), signup_data(form_started=token))
    assert first.status_code == 302
    for n in range(2):
        again = Client().post(reverse("account_signup"), signup_data(email=f"bot{n}@example.jp", form_started=token))
        assert again.status_code == 200
        assert not User.objects.filter(email=f"bot{n}@example.jp").exists()
        body = again.content.decode()
        assert token not in body  # the re-shown form carries a fresh token for a person to send again
        assert 'name="form_started"' in body
    assert User.objects.filter(email__endswith="@example.jp").count() == 1


def test_signup_token_survives_a_form_error(db, settings):
    """A typo (passwords differ) does not spend the token: the corrected form is accepted."""
    settings.FORM_MIN_FILL_SECONDS = 3
    token = form_started_token(time.time() - 5)
    client = Client()
    typo = client.post(reverse("account_signup"), signup_data(password2="something-else-2026", form_started=token))
    assert typo.status_code == 200 and not User.objects.filter(email="newcomer@example.jp").exists()
    fixed = client.post(reverse("account_signup"), signup_data(form_started=token))
    assert fixed.status_code == 302 and User.objects.filter(email="newcomer@example.jp").exists()
