"""Account forms: sign-up asks for a public nickname, language and (optionally) a district."""

from __future__ import annotations

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from participation.core.abuse import AntiSpamFormMixin
from participation.models import User


class SignupForm(AntiSpamFormMixin, AllauthSignupForm):
    """Carries the honeypot and minimum fill time (participation.core.abuse)."""

    display_name = forms.CharField(
        label=_("Display name (nickname)"),
        max_length=40,
        help_text=_("Shown with what you post. Please do not use your real name."),
    )
    preferred_language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, initial="ja")
    district = forms.CharField(label=_("District (optional)"), max_length=80, required=False)

    field_order = ["email", "display_name", "password1", "password2", "preferred_language", "district"]

    def clean_display_name(self) -> str:
        return clean_display_name(self.cleaned_data["display_name"])


def clean_display_name(value: str) -> str:
    value = " ".join(value.split())
    if not value:
        raise forms.ValidationError(_("Please choose a display name."))
    if any(ch in value for ch in "<>"):
        raise forms.ValidationError(_("Display names cannot contain < or >."))
    return value


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "preferred_language", "district", "email_notifications"]

    def clean_display_name(self) -> str:
        return clean_display_name(self.cleaned_data["display_name"])
