"""Public map and list, the reporting flow, report pages, following, staff triage and API keys."""

from __future__ import annotations

import csv

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from participation.core.errors import require
from participation.core.maps import tile_config
from participation.core.photo_files import is_public, photo_file_exists, photo_file_open, photo_file_url
from participation.core.photos import CONTENT_TYPES, error_status, photo_gps, refused_status
from participation.core.ratelimit import rate_limit_hit
from participation.core.text import csv_safe
from reports_map import selectors, services
from reports_map.forms import (
    ApiKeyForm,
    ConfirmForm,
    MoveForm,
    PublicFilterForm,
    ReportForm,
    StaffUpdateForm,
    TriageFilterForm,
)
from reports_map.geo import inside_city, parse_bbox
from reports_map.models import Category, Open311ApiKey, Report, ReportDraft, ReportPhoto, Status


def photo_url(photo: ReportPhoto, *, thumbnail: bool = False) -> str:
    """Public files are served directly from /media/public/; others only through the checked view."""
    name = photo.thumbnail if thumbnail else photo.image
    if is_public(name):
        return photo_file_url(name)
    return reverse("reports_map:photo", args=[photo.pk, "thumbnail" if thumbnail else "image"])


def _map_config() -> dict:
    return {"center": settings.CITY["center"], "zoom": settings.CITY["zoom"], **tile_config()}


def _user_may_view(request: HttpRequest, report: Report) -> None:
    if not request.user.has_perm("reports_map.view_report", report):
        raise Http404  # a private report does not even admit to existing


# --- public map and list ----------------------------------------------------------------------

@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    form = PublicFilterForm(request.GET or None)
    filters = {}
    if form.is_valid():
        filters = {k: v for k, v in form.cleaned_data.items() if v}
    reports = selectors.report_list(user=None, **filters)
    page = Paginator(reports, 20).get_page(request.GET.get("page"))
    query = urlencode(filters)
    return render(request, "reports_map/report_list.html", {
        "filter_form": form, "page_obj": page, "query_string": query,
        "map_config": {**_map_config(), "geojsonUrl": reverse("reports_map:geojson"), "filters": filters},
        "statuses": Status,
    })


@require_GET
def report_geojson(request: HttpRequest) -> JsonResponse:
    """GET /reports/geojson/?bbox=minlon,minlat,maxlon,maxlat&zoom=Z&category=CODE&status=S"""
    bbox = parse_bbox(request.GET.get("bbox"))
    if request.GET.get("bbox") and bbox is None:
        return JsonResponse({"error": _("bbox must be min_lon,min_lat,max_lon,max_lat.")}, status=400)
    try:
        zoom = int(request.GET["zoom"]) if request.GET.get("zoom") else None
    except ValueError:
        return JsonResponse({"error": _("zoom must be a whole number.")}, status=400)
    status = request.GET.get("status") or None
    if status and status not in Status.values and status not in {"unresolved", "closed"}:
        return JsonResponse({"error": _("Unknown status.")}, status=400)
    data = selectors.report_geojson(category=request.GET.get("category") or None, status=status, bbox=bbox, zoom=zoom)
    response = JsonResponse(data)
    response["Cache-Control"] = "public, max-age=30"
    return response


# --- filing -----------------------------------------------------------------------------------

@login_required
def report_new(request: HttpRequest) -> HttpResponse:
    require(request.user, "reports_map.add_report")
    if request.method == "POST":
        rate_limit_hit("report", request=request, user=request.user)
        form = ReportForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            nearby = selectors.reports_nearby(
                category=data["category"], latitude=data["latitude"], longitude=data["longitude"],
                text=data["description"],
            )
            try:
                if nearby or form.location_from_photo:
                    draft = services.report_draft_create(
                        user=request.user,
                        data={"category_id": data["category"].pk, "latitude": data["latitude"],
                              "longitude": data["longitude"], "description": data["description"],
                              "address": data["address"], "attributes": data.get("attributes") or {},
                              "show_name": data["show_name"], "location_from_photo": form.location_from_photo},
                        photos=data["photos"],
                    )
                    return redirect("reports_map:confirm", token=draft.token)
                report = services.report_create(
                    author=request.user, category=data["category"], latitude=data["latitude"],
                    longitude=data["longitude"], description=data["description"], address=data["address"],
                    photos=data["photos"], attributes=data.get("attributes") or {}, show_name=data["show_name"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Thank you. Your report was filed as #%(id)s.") % {"id": report.pk})
                return redirect("reports_map:detail", pk=report.pk)
    else:
        initial = {}
        if request.GET.get("category"):
            category = Category.objects.filter(service_code=request.GET["category"], active=True).first()
            initial["category"] = category.pk if category else None
        form = ReportForm(initial=initial)
    return render(request, "reports_map/report_form.html", {
        "form": form,
        "map_config": {**_map_config(), "photoLocationUrl": reverse("reports_map:photo_location"),
                       "nearbyUrl": reverse("reports_map:nearby"), "text": {
                           "marker": _("Place of the problem"),
                           # %(lat)s and %(lon)s are filled in by the script.
                           "placed": _("Pin placed at latitude %(lat)s, longitude %(lon)s."),
                           "cleared": _("The pin was removed. Please choose the place again."),
                           "outside": _("Those numbers are not a place on the map: latitude -90 to 90, longitude -180 to 180."),
                       }},
    }, status=refused_status(form) if request.method == "POST" else 200)


@login_required
def report_confirm(request: HttpRequest, token) -> HttpResponse:
    """Step 2 without JavaScript: nearby reports of the same category, 'me too / follow' or file anyway."""
    draft = ReportDraft.objects.filter(token=token, user=request.user).prefetch_related("photos").first()
    if draft is None:
        messages.error(request, _("This report draft has expired. Please fill in the form again."))
        return redirect("reports_map:new")
    category = Category.objects.filter(pk=draft.data.get("category_id")).first()
    if category is None:
        draft.delete()
        return redirect("reports_map:new")
    nearby = selectors.reports_nearby(
        category=category, latitude=draft.data["latitude"], longitude=draft.data["longitude"],
        text=draft.data.get("description", ""),
    )
    if request.method == "POST":
        form = ConfirmForm(request.POST)
        if form.is_valid():
            try:
                if form.cleaned_data["action"] == "follow":
                    target = next((r for r in nearby if r.pk == form.cleaned_data.get("report")), None)
                    if target is None:
                        raise ValidationError(_("Please choose one of the reports listed."))
                    services.report_draft_discard_and_follow(user=request.user, token=draft.token, report=target)
                    messages.success(request, _("Thank you. You now follow this report and will hear about its progress."))
                    return redirect("reports_map:detail", pk=target.pk)
                report = services.report_create_from_draft(user=request.user, token=draft.token)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("Thank you. Your report was filed as #%(id)s.") % {"id": report.pk})
                return redirect("reports_map:detail", pk=report.pk)
    return render(request, "reports_map/report_confirm.html", {
        "draft": draft, "category": category, "nearby": nearby, "photo_count": draft.photos.count(),
        "location_from_photo": draft.data.get("location_from_photo"),
    })


@login_required
@require_POST
def photo_location(request: HttpRequest) -> JsonResponse:
    """JS helper: the GPS position in a photo's EXIF as a suggestion (the photo itself is not stored)."""
    require(request.user, "reports_map.add_report")
    upload = request.FILES.get("photo")
    if upload is None:
        return JsonResponse({"error": _("Please choose a photo.")}, status=400)
    try:
        gps = photo_gps(upload)
    except ValidationError as exc:
        return JsonResponse({"error": exc.messages[0]}, status=error_status(exc))
    if gps is None:
        return JsonResponse({"latitude": None, "longitude": None, "inside": False})
    lat, lon = gps
    return JsonResponse({"latitude": lat, "longitude": lon, "inside": inside_city(lat, lon)})


@require_GET
def nearby(request: HttpRequest) -> JsonResponse:
    categories = Category.objects.filter(active=True)
    if request.GET.get("category_id", "").isdigit():
        category = categories.filter(pk=request.GET["category_id"]).first()
    else:
        category = categories.filter(service_code=request.GET.get("category", "")).first()
    try:
        lat, lon = float(request.GET.get("lat", "")), float(request.GET.get("lon", ""))
    except ValueError:
        return JsonResponse({"error": _("lat and lon must be numbers.")}, status=400)
    if category is None or not inside_city(lat, lon):
        return JsonResponse({"reports": []})
    # The form calls this asynchronously while the resident types: nearby reports of the category,
    # those similar in meaning to the description first (``similar``); the form never waits for it.
    text = request.GET.get("text", "")[:2000]
    # ``pending``: the suggestions worker is still embedding the text; the form asks again shortly.
    found, pending = selectors.reports_nearby_by_meaning(category=category, latitude=lat, longitude=lon, text=text)
    return JsonResponse({"reports": [
        {"id": r.pk, "url": reverse("reports_map:detail", args=[r.pk]), "distance_m": r.distance_m,
         "status_label": r.get_status_display(), "description": r.short_description(),
         "similar": r.similar, "score": r.meaning_score} for r in found
    ], "pending": pending})


# --- report page ------------------------------------------------------------------------------

def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_detail(pk=pk)
    if report is None:
        raise Http404
    _user_may_view(request, report)
    photos = selectors.report_photos_for(report=report, user=request.user)
    updates = selectors.report_updates(report=report)
    is_staff = request.user.has_perm("reports_map.triage_report")
    for update in updates:
        update.visible_photos = [p for p in update.photos.all() if request.user.has_perm("reports_map.view_photo", p)]
        for p in update.visible_photos:
            p.url, p.thumb_url = photo_url(p), photo_url(p, thumbnail=True)
    for p in photos:
        p.url, p.thumb_url = photo_url(p), photo_url(p, thumbnail=True)
    answers = []
    for question in report.category.questions.all():
        if question.code in (report.attributes or {}):
            value = report.attributes[question.code]
            names = dict(question.localized_values())
            values = value if isinstance(value, list) else [value]
            answers.append((question.localized_description, ", ".join(str(names.get(str(v), v)) for v in values)))
    context = {
        "report": report, "photos": photos, "updates": updates, "answers": answers,
        "following": selectors.is_following(report=report, user=request.user),
        "map_config": {**_map_config(), "report": {"lat": report.latitude, "lon": report.longitude,
                                                     "colour": report.colour}},
    }
    if is_staff:
        context.update({
            "update_form": StaffUpdateForm(initial={"status": report.status}),
            "move_form": MoveForm(initial={"latitude": report.latitude, "longitude": report.longitude}),
            "staff_members": _staff_members(),
            "all_photos": _all_photos(report),
        })
    return render(request, "reports_map/report_detail.html", context)


def _all_photos(report: Report) -> list[ReportPhoto]:
    photos = list(report.photos.all())
    for p in photos:
        p.thumb_url = photo_url(p, thumbnail=True)
    return photos


def _staff_members():
    User = get_user_model()
    return User.objects.filter(is_active=True, blocked_at__isnull=True).filter(
        groups__name="staff"
    ).distinct().order_by("display_name")


def photo_file(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    if kind not in {"image", "thumbnail"}:
        raise Http404
    photo = get_object_or_404(ReportPhoto.objects.select_related("report", "report__author", "uploaded_by"), pk=pk)
    if not request.user.has_perm("reports_map.view_photo", photo):
        raise Http404
    name = photo.thumbnail if kind == "thumbnail" else photo.image
    if not photo_file_exists(name):
        raise Http404
    response = FileResponse(photo_file_open(name), content_type=CONTENT_TYPES.get(name.rsplit(".", 1)[-1]))
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def report_follow(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(Report, pk=pk)
    _user_may_view(request, report)
    require(request.user, "reports_map.follow_report", report)
    if request.POST.get("unfollow"):
        services.report_unfollow(report=report, user=request.user)
        messages.success(request, _("You no longer follow this report."))
    else:
        services.report_follow(report=report, user=request.user, me_too=bool(request.POST.get("me_too")))
        messages.success(request, _("You now follow this report and will hear about its progress."))
    return redirect("reports_map:detail", pk=report.pk)


# --- staff actions on one report --------------------------------------------------------------

def _staff_report(request: HttpRequest, pk: int) -> Report:
    report = get_object_or_404(Report, pk=pk)
    require(request.user, "reports_map.change_report", report)
    return report


@require_POST
def report_update(request: HttpRequest, pk: int) -> HttpResponse:
    report = _staff_report(request, pk)
    form = StaffUpdateForm(request.POST, request.FILES)
    if form.is_valid():
        duplicate = None
        if form.cleaned_data.get("duplicate_of"):
            duplicate = Report.objects.filter(pk=form.cleaned_data["duplicate_of"]).first()
        try:
            services.report_update_post(
                report=report, actor=request.user, text=form.cleaned_data["text"], status=form.cleaned_data["status"],
                photo=form.cleaned_data.get("photo"), duplicate_of=duplicate,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The update was published."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("reports_map:detail", pk=report.pk)


@require_POST
def report_assign(request: HttpRequest, pk: int) -> HttpResponse:
    report = _staff_report(request, pk)
    User = get_user_model()
    assignee = User.objects.filter(pk=request.POST.get("assignee") or 0).first()
    try:
        services.report_assign(report=report, assignee=assignee, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The assignment was saved."))
    return redirect("reports_map:detail", pk=report.pk)


@require_POST
def report_move(request: HttpRequest, pk: int) -> HttpResponse:
    report = _staff_report(request, pk)
    form = MoveForm(request.POST)
    if form.is_valid():
        services.report_move(report=report, latitude=form.cleaned_data["latitude"],
                             longitude=form.cleaned_data["longitude"], actor=request.user)
        messages.success(request, _("The pin was moved."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("reports_map:detail", pk=report.pk)


@require_POST
def report_private(request: HttpRequest, pk: int) -> HttpResponse:
    report = _staff_report(request, pk)
    private = request.POST.get("private") == "1"
    services.report_set_private(report=report, private=private, actor=request.user)
    messages.success(request, _("The report is now private.") if private else _("The report is now public."))
    return redirect("reports_map:detail", pk=report.pk)


@require_POST
def photo_hide(request: HttpRequest, pk: int) -> HttpResponse:
    photo = get_object_or_404(ReportPhoto.objects.select_related("report"), pk=pk)
    require(request.user, "reports_map.change_report", photo.report)
    hidden = request.POST.get("hidden") == "1"
    services.report_photo_set_hidden(photo=photo, hidden=hidden, actor=request.user,
                                     reason=request.POST.get("reason", "")[:200])
    messages.success(request, _("The photo was hidden.") if hidden else _("The photo is shown again."))
    return redirect("reports_map:detail", pk=photo.report_id)


# --- triage queue -----------------------------------------------------------------------------

def _triage_filters(request: HttpRequest) -> tuple[TriageFilterForm, dict]:
    # Open reports by default: staff come here to act (choosing "All" shows every report).
    data = request.GET.copy()
    data.setdefault("status", "unresolved")
    form = TriageFilterForm(data)
    filters = {}
    if form.is_valid():
        filters = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
    if request.GET.get("assigned") == "me":
        filters["assigned_to"] = request.user.pk
    elif request.GET.get("assigned") == "none":
        filters["assigned_to"] = 0
    return form, filters


def triage(request: HttpRequest) -> HttpResponse:
    require(request.user, "reports_map.triage_report")
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("report") if i.isdigit()]
        status = request.POST.get("status", "")
        if not ids:
            messages.error(request, _("Please select at least one report."))
        else:
            try:
                changed = services.report_bulk_set_status(report_ids=ids, status=status, actor=request.user)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("%(n)d reports were updated.") % {"n": changed})
        return redirect(request.get_full_path())
    form, filters = _triage_filters(request)
    page = Paginator(selectors.triage_queue(**filters), 50).get_page(request.GET.get("page"))
    now = timezone.now()
    for report in page:
        # The clock stops when the report is resolved.
        report.age_days = ((report.resolved_at or now) - report.created_at).days
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "reports_map/triage.html", {
        "filter_form": form, "page_obj": page, "query_string": query.urlencode(),
        "bulk_statuses": [(v, label) for v, label in Status.choices if v != Status.CLOSED_DUPLICATE],
    })


def triage_export(request: HttpRequest) -> HttpResponse:
    require(request.user, "reports_map.triage_report")
    _form, filters = _triage_filters(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="reports.csv"'
    response.write("\ufeff")  # Excel in Japan needs the BOM to read UTF-8
    writer = csv.writer(response)
    writer.writerow(["id", "created_at", "category", "status", "latitude", "longitude", "address", "description",
                     "assigned_to", "private", "hidden", "followers", "url"])
    for r in selectors.triage_queue(**filters):
        writer.writerow([csv_safe(v) for v in (
            r.pk, r.created_at.isoformat(), r.category.service_code, r.status, r.latitude, r.longitude, r.address,
            r.description, r.assigned_to.public_name if r.assigned_to else "", int(r.private), int(r.is_hidden),
            r.follower_count, request.build_absolute_uri(reverse("reports_map:detail", args=[r.pk])),
        )])
    return response


# --- Open311 keys -----------------------------------------------------------------------------

def api_keys(request: HttpRequest) -> HttpResponse:
    require(request.user, "reports_map.manage_open311_keys")
    form = ApiKeyForm(request.POST or None)
    new_key = None
    if request.method == "POST":
        if request.POST.get("deactivate"):
            key = get_object_or_404(Open311ApiKey, pk=request.POST["deactivate"])
            services.open311_key_set_active(key=key, active=False, actor=request.user)
            messages.success(request, _("The key was deactivated."))
            return redirect("reports_map:api_keys")
        if form.is_valid():
            with transaction.atomic():
                _key, new_key = services.open311_key_create(name=form.cleaned_data["name"], created_by=request.user)
            form = ApiKeyForm()
    return render(request, "reports_map/api_keys.html", {
        "form": form, "new_key": new_key, "keys": Open311ApiKey.objects.order_by("-created_at"),
    })

