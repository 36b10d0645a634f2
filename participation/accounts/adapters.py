"""allauth adapters: fill profile fields at sign-up, give every new account the resident role,
and refuse blocked accounts at login."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import Group
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from participation.core.predicates import RESIDENT
from participation.core.ratelimit import client_ip
from participation.core.site import site_url


def user_display(user) -> str:
    """How allauth names a person (messages, e-mails): the chosen nickname, never the e-mail's local part."""
    return user.public_name


class _SiteForMail:
    """What allauth's e-mails call ``current_site``: the site's own name, and the host people reach it on."""

    def __init__(self):
        self.name = settings.WAGTAIL_SITE_NAME
        self.domain = site_url().split("://", 1)[-1]


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        context = {**context, "current_site": _SiteForMail()}
        return super().send_mail(template_prefix, email, context)

    def format_email_subject(self, subject):
        return f"[{settings.WAGTAIL_SITE_NAME}] {subject}"

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
