"""Accounts: e-mail sign-up with mandatory verification, login, enumeration prevention, roles, blocking."""

import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone

from participation.models import User

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "hanako@example.jp",
    "display_name": "はなこ",
    "password1": "a-long-Passphrase-2026",
    "password2": "a-long-Passphrase-2026",
    "preferred_language": "ja",
    "district": "北町",
}


def test_signup_needs_email_verification_before_login(client):
    response = client.post("/accounts/signup/", SIGNUP)
    assert response.status_code == 302
    user = User.objects.get(email="hanako@example.jp")
    assert user.display_name == "はなこ" and user.district == "北町"
    assert user.groups.filter(name="resident").exists()
    assert len(mail.outbox) == 1
    client.logout()
    login = client.post("/accounts/login/", {"login": "hanako@example.jp", "password": SIGNUP["password1"]})
    assert login.status_code == 302 and "confirm-email" in login["Location"]
    assert "_auth_user_id" not in client.session
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    client.post("/" + path)
    assert user.emailaddress_set.get().verified
    login = client.post("/accounts/login/", {"login": "hanako@example.jp", "password": SIGNUP["password1"]})
    assert login.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.parametrize(
    ("field", "value"),
    [("display_name", ""), ("display_name", "<b>x</b>"), ("email", "not-an-email"), ("password2", "different-Passphrase-1")],
)
def test_bad_signup_is_refused_and_keeps_input(client, field, value):
    data = {**SIGNUP, field: value}
    response = client.post("/accounts/signup/", data)
    assert response.status_code == 200
    assert not User.objects.filter(email="hanako@example.jp").exists()
    body = response.content.decode()
    assert 'aria-invalid="true"' in body
    assert 'value="北町"' in body  # what the resident typed is kept


def test_password_reset_does_not_reveal_whether_an_account_exists(client, resident):
    known = client.post("/accounts/password/reset/", {"email": resident.email})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.jp"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


def test_signup_with_an_existing_email_does_not_reveal_it(client, resident):
    response = client.post("/accounts/signup/", {**SIGNUP, "email": resident.email})
    assert response.status_code == 302  # same answer as a new address; the owner gets an e-mail instead
    assert User.objects.filter(email=resident.email).count() == 1


def test_blocked_user_cannot_log_in_and_is_signed_out(client, resident):
    resident.blocked_at = timezone.now()
    resident.save()
    response = client.post("/accounts/login/", {"login": resident.email, "password": "correct-horse-battery"})
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 302)
    client.force_login(resident)
    assert client.get("/me/profile/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_roles_exist_from_the_migration():
    assert set(Group.objects.values_list("name", flat=True)) >= {"resident", "moderator", "staff", "council"}


def test_predicates_per_role(resident, moderator, staff_user, council_member):
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    table = {
        "participation.act": [False, True, True, True, True],
        "participation.moderate": [False, False, True, True, False],
        "participation.view_dashboard": [False, False, False, True, True],
        "participation.view_audit_log": [False, False, True, True, False],
    }
    for permission, expected in table.items():
        got = [u.has_perm(permission) for u in (anonymous, resident, moderator, staff_user, council_member)]
        assert got == expected, permission


def test_profile_edit_escapes_markup(client, resident):
    client.force_login(resident)
    response = client.post("/me/profile/", {"display_name": "<script>x</script>", "preferred_language": "en"})
    assert response.status_code == 200
    resident.refresh_from_db()
    assert resident.display_name == "alice"
    ok = client.post("/me/profile/", {"display_name": "ねこ & いぬ", "preferred_language": "en", "email_notifications": "on"})
    assert ok.status_code == 302
    resident.refresh_from_db()
    assert resident.display_name == "ねこ & いぬ" and resident.preferred_language == "en"


def test_language_switch_remembers_the_choice(client, demo_pages):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/consultations/parks-future/"})
    assert response.status_code == 302
    assert response["Location"] == "/en/consultations/parks-future/"
    assert client.cookies["lang"].value == "en"
    back = client.post("/i18n/setlang/", {"language": "ja", "next": "/en/consultations/parks-future/"})
    assert back["Location"] == "/consultations/parks-future/"
