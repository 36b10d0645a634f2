"""The Wagtail admin's sign-in form with its password field labelled.

Wagtail's form declares the field without a label, so Django shows the field's name — 「Password」 in English on the
Japanese sign-in page every member of staff opens (settings: ``WAGTAILADMIN_USER_LOGIN_FORM``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm


class LoginForm(WagtailLoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].label = _("Password")
