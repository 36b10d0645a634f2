"""allauth adapters: fill profile fields at sign-up, give every new account the resident role,
and refuse blocked accounts at login."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.contrib import messages
from django.contrib.auth.models import Group
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from participation.core.predicates import RESIDENT
from participation.core.ratelimit import client_ip


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        data = form.cleaned_data
        user.display_name = data.get("display_name") or user.display_name
        user.preferred_language = data.get("preferred_language") or user.preferred_language
        user.district = data.get("district") or ""
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            user.groups.add(Group.objects.get_or_create(name=RESIDENT)[0])
        return user

    def pre_login(self, request, user, **kwargs):
        if getattr(user, "blocked_at", None) is not None:
            messages.error(request, _("Your account has been blocked by a moderator."))
            return redirect("account_login")
        return super().pre_login(request, user, **kwargs)

    def get_client_ip(self, request):
        return client_ip(request)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def save_user(self, request, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form=form)
        if not user.display_name:
            user.display_name = (sociallogin.account.extra_data.get("displayName") or _("resident"))[:40]
            user.save(update_fields=["display_name"])
        user.groups.add(Group.objects.get_or_create(name=RESIDENT)[0])
        return user
