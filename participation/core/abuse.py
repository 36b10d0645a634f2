"""Abuse protection shared by every public form: a honeypot field, a minimum fill time, and
throttling of the Wagtail / Django admin login.

Use ``AntiSpamFormMixin`` on any form (put it first in the bases)::

    class FlagForm(AntiSpamFormMixin, forms.Form): ...

The form then carries two hidden fields: ``website`` (a text input people never see; bots fill
it) and ``form_started`` (a signed timestamp with a nonce, accepted once). A form with the honeypot
filled is invalid and nothing is stored. The fill time is one signal, not a verdict (real people with
autofill are fast): signed-in residents are never timed (pass ``user=``), and an anonymous form sent
back faster than ``settings.FORM_MIN_FILL_SECONDS`` is answered once with what to do, its input kept
and a token that lets the same form through when it is sent again. Rate limits and e-mail
verification stay.
"""

from __future__ import annotations

import secrets
import time

from django import forms
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from participation.core.ratelimit import RateLimited, client_ip

HONEYPOT_FIELD = "website"
STARTED_FIELD = "form_started"
_SALT = "participation.core.abuse.form_started"


class HoneypotWidget(forms.TextInput):
    """A text input inside a visually hidden, aria-hidden wrapper; rendered with the hidden fields."""

    is_hidden = True  # rendered by includes/form.html together with the hidden fields

    def __init__(self, attrs=None):
        super().__init__(attrs={"autocomplete": "off", "tabindex": "-1", **(attrs or {})})

    def render(self, name, value, attrs=None, renderer=None):
        field = super().render(name, value, attrs, renderer)
        field_id = (attrs or {}).get("id", "")
        return format_html(
            '<div class="visually-hidden" aria-hidden="true"><label for="{}">{}</label>{}</div>',
            field_id, _("Leave this field empty"), field,
        )


TOKEN_MAX_AGE = 24 * 3600


def form_started_token(now: float | None = None, *, checked: bool = False) -> str:
    """A signed start time plus a random nonce: each token is accepted once (see ``_spend``). ``checked``
    marks a form already answered once for being fast (issue 12: the fill time alone never refuses twice)."""
    payload = [int(now if now is not None else time.time()), secrets.token_urlsafe(9)]
    return signing.dumps([*payload, 1] if checked else payload, salt=_SALT)


def _spend(nonce: str) -> bool:
    """Mark a token's nonce used (cache shared by every process); False if it was used before. Without this
    a bot could fetch the form once and post the same token instantly for ever (issue 17)."""
    return cache.add(f"abuse:form_started:{nonce}", 1, TOKEN_MAX_AGE)


class AntiSpamFormMixin(forms.Form):
    """Honeypot + minimum fill time. Works for ModelForms and allauth forms alike."""

    antispam_error = _("Your form could not be accepted. Please wait a moment and send it again.")
    too_fast_error = _("This form was sent very quickly, as automated programs do. What you typed is kept: "
                       "please check it and send the form again.")

    def __init__(self, *args, user=None, **kwargs):
        self.antispam_user = user
        super().__init__(*args, **kwargs)
        self.fields[HONEYPOT_FIELD] = forms.CharField(
            label=_("Leave this field empty"), required=False, widget=HoneypotWidget()
        )
        self.fields[STARTED_FIELD] = forms.CharField(required=False, widget=forms.HiddenInput())
        self._sent_started = ""
        if self.is_bound:
            self._sent_started = str(self.data.get(STARTED_FIELD) or "")
            if not self._sent_started:
                # Re-rendered after an error, the form then carries a start time for the next try.
                self.data = self.data.copy()
                self.data[STARTED_FIELD] = form_started_token()
        else:
            self.initial[STARTED_FIELD] = form_started_token()

    def clean(self):
        cleaned = super().clean()
        if (self.data.get(HONEYPOT_FIELD) or "").strip():
            raise forms.ValidationError(self.antispam_error, code="honeypot")
        minimum = getattr(settings, "FORM_MIN_FILL_SECONDS", 0)
        if minimum > 0:
            started, nonce, checked = self._token()
            signed_in = bool(self.antispam_user is not None and self.antispam_user.is_authenticated)
            if not signed_in and not checked and (started is None or time.time() - started < minimum):
                # The form is shown again with the input and a token that lets it through next time.
                self.data = self.data.copy()
                self.data[STARTED_FIELD] = form_started_token(checked=True)
                raise forms.ValidationError(self.too_fast_error, code="too_fast")
            # Spent only by a submission that is otherwise valid, so a form re-shown for a typo keeps its token.
            if not self._errors and nonce and not _spend(nonce):
                # Replayed: the re-shown form carries a fresh token (a person waits a moment and sends again).
                self.data = self.data.copy()
                self.data[STARTED_FIELD] = form_started_token()
                raise forms.ValidationError(self.antispam_error, code="replayed")
        return cleaned

    def _token(self) -> tuple[int | None, str, bool]:
        """(start time, nonce, already answered once for being fast) of the token sent back."""
        if not self._sent_started:
            return None, "", False
        try:
            started, nonce, *rest = signing.loads(self._sent_started, salt=_SALT, max_age=TOKEN_MAX_AGE)
            return int(started), str(nonce), rest == [1]
        except (signing.BadSignature, TypeError, ValueError):
            return None, "", False

    def started_at(self) -> int | None:
        return self._token()[0]


# --- Admin login throttling -------------------------------------------------------------------

ADMIN_LOGIN_PATHS = ("/admin/login/", "/django-admin/login/")
ADMIN_LOGIN_DEFAULT_RULE = "10/300"


def throttle_hit(action: str, *, rule: str, keys: list[str]) -> None:
    """Count one hit for each key in a fixed window; raise RateLimited when any is over the rule."""
    limit, window = (int(part) for part in rule.split("/"))
    now = int(time.time())
    bucket = now // window
    for key in keys:
        full = f"rl:{action}:{key}:{bucket}"
        cache.add(full, 0, timeout=window + 5)
        try:
            count = cache.incr(full)
        except ValueError:
            cache.set(full, 1, timeout=window + 5)
            count = 1
        if count > limit:
            raise RateLimited(action, retry_after=window - (now % window))


class AdminLoginThrottleMiddleware:
    """Throttle POSTs to the Wagtail and Django admin login per client IP and per username.

    The rule is ``RATE_LIMITS["admin_login"]`` (default 10 per 5 minutes); the IP comes from
    ``participation.core.ratelimit.client_ip`` (TRUSTED_PROXY_COUNT), so a forged X-Forwarded-For
    does not reset it. Place it after the session/auth middleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and settings.RATE_LIMITS_ENABLED and self._is_admin_login(request.path):
            from participation.core.ratelimit import rate_limited_response

            rule = settings.RATE_LIMITS.get("admin_login") or ADMIN_LOGIN_DEFAULT_RULE
            keys = [f"ip:{client_ip(request)}"]
            username = (request.POST.get("username") or "").strip().lower()[:150]
            if username:
                keys.append(f"user:{username}")
            try:
                throttle_hit("admin_login", rule=rule, keys=keys)
            except RateLimited as exc:
                return rate_limited_response(request, exc)
        return self.get_response(request)

    @staticmethod
    def _is_admin_login(path: str) -> bool:
        return any(path == p or path.startswith(p) for p in ADMIN_LOGIN_PATHS)
