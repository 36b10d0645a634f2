"""Views: the resident's notification settings (channels, topics, quiet hours, push devices, areas),
announcements, the web app manifest and service worker, and one-click unsubscribe."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from outreach import conf, push, selectors, services
from outreach.forms import AreaForm, PreferencesForm
from outreach.models import Announcement, AnnouncementDelivery, ConsultationFollow, PushSubscription
from participation.core import freshness
from participation.core.maps import tile_config

PERMISSION = "outreach.manage_preferences"


def _require(request: HttpRequest, permission: str = PERMISSION):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.has_perm(permission):
        raise PermissionDenied(_("You cannot change notification settings."))
    return None


def _errors(error: ValidationError) -> dict:
    if hasattr(error, "error_dict"):
        return {field: [str(m) for m in msgs] for field, msgs in error.message_dict.items()}
    return {"__all__": [str(m) for m in error.messages]}


@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    denied = _require(request)
    if denied:
        return denied
    prefs = selectors.preferences_for(request.user)
    initial = {
        "via_site": prefs.via_site, "via_email": prefs.via_email, "via_push": prefs.via_push,
        "via_line": prefs.via_line, "followups": prefs.followups, "email_mode": prefs.email_mode,
        "topics": list(prefs.topics.all()) if prefs.pk else [], "quiet_start": prefs.quiet_start,
        "quiet_end": prefs.quiet_end,
    }
    form = PreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.preferences_update(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            for field, msgs in _errors(error).items():
                for message in msgs:
                    form.add_error(None if field == "__all__" else field, message)
        else:
            messages.success(request, _("Your notification settings were saved."))
            return redirect("outreach:settings")
    from outreach import line

    context = {
        "form": form,
        "area_form": AreaForm(),
        "areas": selectors.areas_of(request.user),
        "devices": PushSubscription.objects.filter(user=request.user).order_by("created_at"),
        "vapid_public_key": conf.vapid_public_key() if push.vapid_configured() else "",
        "line_configured": line.line_configured(),
        "line_linked": bool(line.line_user_ids([request.user.pk])),
        "map_center": settings.CITY["center"],
        "tile_config": tile_config(),
    }
    return render(request, "outreach/preferences.html", context)


def _json_body(request: HttpRequest) -> dict:
    if len(request.body) > 4096:
        raise ValidationError(_("This push subscription is not valid."))
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise ValidationError(_("This push subscription is not valid.")) from None
    if not isinstance(data, dict):
        raise ValidationError(_("This push subscription is not valid."))
    return data


@require_POST
def push_subscribe(request: HttpRequest) -> JsonResponse:
    if not request.user.is_authenticated or not request.user.has_perm(PERMISSION):
        return JsonResponse({"errors": {"__all__": [_("Please log in to receive notifications.")]}}, status=403)
    try:
        data = _json_body(request)
        keys = data.get("keys") if isinstance(data.get("keys"), dict) else {}
        services.push_subscribe(user=request.user, endpoint=data.get("endpoint"), p256dh=keys.get("p256dh"),
                                auth=keys.get("auth"), user_agent=request.headers.get("User-Agent", ""))
    except ValidationError as error:
        return JsonResponse({"errors": _errors(error)}, status=400)
    return JsonResponse({"ok": True, "message": _("Push notifications are on for this browser.")}, status=201)


@require_POST
def push_unsubscribe(request: HttpRequest) -> HttpResponse:
    denied = _require(request)
    if denied:
        return denied
    if request.content_type == "application/json":
        try:
            endpoint = _json_body(request).get("endpoint", "")
        except ValidationError as error:
            return JsonResponse({"errors": _errors(error)}, status=400)
        services.push_unsubscribe(user=request.user, endpoint=endpoint)
        return JsonResponse({"ok": True, "message": _("Push notifications are off for this browser.")})
    device = PushSubscription.objects.filter(user=request.user, pk=request.POST.get("device") or 0).first()
    if device is not None:
        services.push_unsubscribe(user=request.user, endpoint=device.endpoint)
        messages.success(request, _("Push notifications were turned off for that browser."))
    return redirect("outreach:settings")


@require_POST
def push_test(request: HttpRequest) -> HttpResponse:
    denied = _require(request)
    if denied:
        return denied
    delivered = services.push_to_user(user_id=request.user.pk, title=str(settings.WAGTAIL_SITE_NAME),
                                      body=_("Push notifications work on this device."),
                                      url=reverse("outreach:settings"), tag="test")
    if delivered:
        messages.success(request, _("A test notification was sent to %(n)d browser(s).") % {"n": delivered})
    else:
        messages.error(request, _("No browser accepted the test notification. Turn push on again on your device."))
    return redirect("outreach:settings")


@require_POST
def area_add(request: HttpRequest) -> HttpResponse:
    denied = _require(request)
    if denied:
        return denied
    form = AreaForm(request.POST)
    if form.is_valid():
        try:
            services.area_subscribe(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            for msgs in _errors(error).values():
                for message in msgs:
                    messages.error(request, message)
        else:
            messages.success(request, _("You will get alerts for this area."))
    else:
        for field, errors in form.errors.items():
            for message in errors:
                messages.error(request, f"{form.fields[field].label}: {message}" if field in form.fields else message)
    return redirect(reverse("outreach:settings") + "#areas")


@require_POST
def area_delete(request: HttpRequest, pk: int) -> HttpResponse:
    denied = _require(request)
    if denied:
        return denied
    if services.area_unsubscribe(user=request.user, area_id=pk):
        messages.success(request, _("The area alert was removed."))
    return redirect(reverse("outreach:settings") + "#areas")


# --- following a consultation (a section of the consultation page) ------------------------------------


def consultation_section(request, page):
    """A small box on every consultation page: follow it to hear when a new phase starts."""
    consultation = page.canonical
    following = request.user.is_authenticated and freshness.cached(
        f"follows:{request.user.pk}", [freshness.user(request.user.pk)],
        lambda: set(ConsultationFollow.objects.filter(user=request.user).values_list("consultation_id", flat=True)),
    ).__contains__(consultation.pk)
    return "outreach/consultation_follow_section.html", {
        "consultation": consultation, "following": following,
        "can_follow": request.user.has_perm(PERMISSION),
        "feed_url": reverse("outreach:feed_consultation", args=[consultation.pk]),
    }


@require_POST
def consultation_follow(request: HttpRequest, consultation_id: int) -> HttpResponse:
    denied = _require(request)
    if denied:
        return denied
    from participation.core import consultations

    page = consultations.get_or_404(consultation_id)
    if request.POST.get("follow") == "0":
        services.consultation_unfollow(user=request.user, consultation_id=page.pk)
        messages.success(request, _("You no longer follow this consultation."))
    else:
        services.consultation_follow(user=request.user, consultation_id=page.pk)
        messages.success(request, _("You follow this consultation: you will hear when a new phase starts."))
    return redirect(page.url or "/")


# --- announcements -------------------------------------------------------------------------------------


@require_GET
def announcement_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.public_announcements(), 20).get_page(request.GET.get("page"))
    return render(request, "outreach/announcement_list.html", {"page_obj": page})


def _may_read(user, announcement: Announcement) -> bool:
    if announcement.status == Announcement.Status.SENT and announcement in selectors.public_announcements():
        return True
    if user.is_authenticated and user.has_perm("outreach.view_announcement_counts"):
        return True
    return user.is_authenticated and AnnouncementDelivery.objects.filter(announcement=announcement, user=user).exists()


@require_GET
def announcement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    announcement = get_object_or_404(Announcement, pk=pk)
    if not _may_read(request.user, announcement):
        raise Http404
    return render(request, "outreach/announcement_detail.html", {"announcement": announcement})


# --- site root: manifest, service worker, one-click unsubscribe ----------------------------------------


@require_GET
@cache_control(max_age=3600, public=True)
def manifest(request: HttpRequest) -> JsonResponse:
    data = {
        "name": str(settings.WAGTAIL_SITE_NAME),
        "short_name": str(settings.CITY.get("name", settings.WAGTAIL_SITE_NAME)),
        "lang": settings.LANGUAGE_CODE,
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0017c1",
        "icons": [
            {"src": settings.STATIC_URL + "outreach/icon-192.png", "sizes": "192x192", "type": "image/png"},
            {"src": settings.STATIC_URL + "outreach/icon-512.png", "sizes": "512x512", "type": "image/png"},
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """Served at /sw.js so its scope is the whole site; never cached long, so updates reach browsers."""
    path = finders.find("outreach/sw.js")
    if not path:
        raise Http404
    with open(path, encoding="utf-8") as handle:
        response = HttpResponse(handle.read(), content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


@csrf_exempt  # LINE's servers sign the request instead (X-Line-Signature)
@require_POST
def line_webhook(request: HttpRequest) -> HttpResponse:
    from outreach import line

    body = request.body
    if len(body) > 1_000_000 or not line.signature_valid(body, request.headers.get("X-Line-Signature", "")):
        return HttpResponse(status=400)
    try:
        events = json.loads(body).get("events", [])
    except (ValueError, AttributeError):
        return HttpResponse(status=400)
    line.webhook_handle(events)
    return HttpResponse(status=200)


@csrf_exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" without a session or token
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    user = services.unsubscribe_user(token)
    if user is None:
        return render(request, "outreach/unsubscribe.html", {"invalid": True}, status=400)
    if request.method == "POST":
        services.email_unsubscribe(user=user)
        if request.POST.get("List-Unsubscribe") == "One-Click":
            return HttpResponse(status=200)
        return render(request, "outreach/unsubscribe.html", {"done": True})
    return render(request, "outreach/unsubscribe.html", {"token": token})
