"""Open311 GeoReport v2 server (https://wiki.open311.org/GeoReport_v2) at /open311/v2/.

Only public reports (not private, not hidden, author not blocked) are ever returned; POST needs an
``api_key``; photos come as multipart ``media`` and pass through the shared photo pipeline
(``media_url`` given by a client is never fetched). Errors are the spec's list of {code, description}.
"""

from __future__ import annotations

import math
import uuid
from datetime import timedelta
from xml.etree import ElementTree as ET

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from participation.core.photo_files import photo_file_url
from participation.core.photos import error_status
from participation.core.ratelimit import RateLimited, rate_limit_hit
from reports_map import selectors, services
from reports_map.models import OPEN_STATUSES, Category, Report, ReportPhoto, Status

DEFAULT_DAYS = 90
MAX_RESULTS = 1000
CONTACT_FIELDS = ("email", "device_id", "account_id", "first_name", "last_name", "phone")


class Open311Error(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status
        self.description = description


# --- rendering --------------------------------------------------------------------------------

def _to_xml(root_name: str, item_name: str | None, data) -> bytes:
    def build(parent, key, value):
        if isinstance(value, dict):
            node = ET.SubElement(parent, key)
            for k, v in value.items():
                build(node, k, v)
        elif isinstance(value, list):
            node = ET.SubElement(parent, key)
            singular = {"attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format",
                        "keywords": "keyword"}.get(key, "item")
            for v in value:
                build(node, singular, v)
        else:
            node = ET.SubElement(parent, key)
            if value is not None:
                node.text = str(value).lower() if isinstance(value, bool) else str(value)

    root = ET.Element(root_name)
    if item_name is None:
        for k, v in data.items():
            build(root, k, v)
    else:
        for item in data:
            build(root, item_name, item)
    return b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(root, encoding="utf-8")


def _respond(fmt: str, data, *, root: str, item: str | None, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        return HttpResponse(_to_xml(root, item, data), content_type="text/xml; charset=utf-8", status=status)
    return JsonResponse(data, safe=False, status=status, json_dumps_params={"ensure_ascii": False})


def _error(fmt: str, status: int, description: str) -> HttpResponse:
    return _respond(fmt, [{"code": status, "description": str(description)}], root="errors", item="error",
                    status=status)


def _handles_errors(view):
    def wrapper(request, *args, fmt="json", **kwargs):
        try:
            return view(request, *args, fmt=fmt, **kwargs)
        except Open311Error as exc:
            return _error(fmt, exc.status, exc.description)
        except PermissionDenied as exc:
            return _error(fmt, 403, str(exc) or _("Permission denied."))
        except ValidationError as exc:
            return _error(fmt, error_status(exc), " ".join(exc.messages))
        except RateLimited as exc:
            response = _error(fmt, 429, str(exc.message))
            response["Retry-After"] = str(exc.retry_after)
            return response

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


# --- representations --------------------------------------------------------------------------

def _service(category: Category) -> dict:
    return {
        "service_code": category.service_code,
        "service_name": category.localized_name,
        "description": category.localized_description,
        "metadata": category.questions.exists(),
        "type": "realtime",
        "keywords": "",
        "group": category.group,
    }


def _attribute(question) -> dict:
    return {
        "variable": True,
        "code": question.code,
        "datatype": question.datatype,
        "required": question.required,
        "datatype_description": "",
        "order": question.order,
        "description": question.localized_description,
        "values": [{"key": key, "name": name} for key, name in question.localized_values()],
    }


def _request_record(request: HttpRequest, report: Report, photos: dict[int, str], notes: dict[int, str]) -> dict:
    media = photos.get(report.pk)
    return {
        "service_request_id": str(report.pk),
        "status": "open" if report.status in OPEN_STATUSES else "closed",
        "status_notes": notes.get(report.pk) or str(Status(report.status).label),
        "service_name": report.category.localized_name,
        "service_code": report.category.service_code,
        "description": report.description,
        "agency_responsible": settings.CITY.get("name"),
        "service_notice": "",
        "requested_datetime": report.created_at.isoformat(),
        "updated_datetime": report.updated_at.isoformat(),
        "expected_datetime": None,
        "address": report.address,
        "address_id": "",
        "zipcode": "",
        "lat": report.latitude,
        "long": report.longitude,
        "media_url": request.build_absolute_uri(photo_file_url(media)) if media else "",
    }


def _records(request: HttpRequest, reports: list[Report]) -> list[dict]:
    ids = [r.pk for r in reports]
    photos: dict[int, str] = {}
    for report_id, image in (
        ReportPhoto.objects.visible().filter(report_id__in=ids, update__isnull=True, image__startswith="public/")
        .order_by("pk").values_list("report_id", "image")
    ):
        photos.setdefault(report_id, image)
    notes: dict[int, str] = {}
    from reports_map.models import ReportUpdate

    for report_id, text in (
        ReportUpdate.objects.filter(report_id__in=ids).exclude(text="").order_by("created_at", "pk")
        .values_list("report_id", "text")
    ):
        notes[report_id] = text[:300]
    return [_request_record(request, r, photos, notes) for r in reports]


# --- endpoints --------------------------------------------------------------------------------

@require_GET
@_handles_errors
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": fmt})).rsplit("/", 1)[0] + "/"
    data = {
        "changeset": "2026-11-22T00:00:00Z",
        "contact": str(_("Please contact the city office for help with this API.")),
        "key_service": str(_("API keys are issued by city staff.")),
        "endpoints": [{
            "specification": "http://wiki.open311.org/GeoReport_v2",
            "url": base,
            "changeset": "2026-11-22T00:00:00Z",
            "type": "production",
            "formats": ["text/xml", "application/json"],
        }],
    }
    return _respond(fmt, data, root="discovery", item=None)


@require_GET
@_handles_errors
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    categories = list(selectors.category_list().prefetch_related("questions"))
    data = [{**_service(c), "metadata": bool(c.questions.all())} for c in categories]
    return _respond(fmt, data, root="services", item="service")


@require_GET
@_handles_errors
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    category = selectors.category_list().filter(service_code=code).first()
    if category is None:
        raise Open311Error(404, _("Unknown service_code: %(code)s") % {"code": code[:50]})
    data = {"service_code": category.service_code,
            "attributes": [_attribute(q) for q in category.questions.all()]}
    return _respond(fmt, data, root="service_definition", item=None)


@csrf_exempt
@require_http_methods(["GET", "POST"])
@_handles_errors
def requests_view(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt)
    params = request.GET
    qs = selectors.report_public_qs().select_related("category")
    ids = params.get("service_request_id")
    if ids:
        wanted = [n for n in (_request_id(i) for i in ids.split(",")[:MAX_RESULTS]) if n is not None]
        reports = list(qs.filter(pk__in=wanted).order_by("-created_at"))
        return _respond(fmt, _records(request, reports), root="service_requests", item="request")
    if params.get("service_code"):
        qs = qs.filter(category__service_code__in=params["service_code"].split(","))
    start, end = _date(params, "start_date"), _date(params, "end_date")
    if start is None and end is None:
        start = timezone.now() - timedelta(days=DEFAULT_DAYS)
    if start is not None:
        qs = qs.filter(created_at__gte=start)
    if end is not None:
        qs = qs.filter(created_at__lte=end)
    if params.get("status"):
        wanted_status = {s.strip() for s in params["status"].split(",")}
        if not wanted_status <= {"open", "closed"}:
            raise Open311Error(400, _("status must be open or closed."))
        if wanted_status == {"open"}:
            qs = qs.filter(status__in=OPEN_STATUSES)
        elif wanted_status == {"closed"}:
            qs = qs.exclude(status__in=OPEN_STATUSES)
    reports = list(qs.order_by("-created_at", "-pk")[:MAX_RESULTS])
    return _respond(fmt, _records(request, reports), root="service_requests", item="request")


# Report ids are BigAutoField: a number outside 1..2**63-1 names no request (and would overflow SQLite's
# integer or PostgreSQL's bigint: a 500 before, issue 17).
MAX_REQUEST_ID = 2**63 - 1


def _request_id(value: str) -> int | None:
    value = value.strip()
    if not value.isascii() or not value.isdigit():
        return None
    number = int(value)
    return number if 1 <= number <= MAX_REQUEST_ID else None


def _date(params, name: str):
    value = params.get(name)
    if not value:
        return None
    parsed = parse_datetime(value.replace(" ", "+"))
    if parsed is None:
        raise Open311Error(400, _("%(name)s must be a W3C date-time, e.g. 2026-04-01T00:00:00Z.") % {"name": name})
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _number(value, name: str) -> str:
    if value in (None, ""):
        raise Open311Error(400, _("%(name)s is required.") % {"name": name})
    try:
        number = float(value)
    except ValueError:
        raise Open311Error(400, _("%(name)s must be a number.") % {"name": name}) from None
    if not math.isfinite(number):
        raise Open311Error(400, _("%(name)s must be a finite number.") % {"name": name})
    return value


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    data = request.POST
    key = services.open311_key_check(data.get("api_key"))
    if key is None:
        raise Open311Error(403, _("A valid api_key is required."))
    # Each key has its own limit (an aggregator posts for many residents from one address), not the web
    # form's per-IP "report" limit: OPEN311_RATE_LIMIT, or OPEN311_KEY_RATE_LIMITS[key prefix] for this key.
    rate_limit_hit("open311", client=f"key-{key.pk}",
                   rule=settings.OPEN311_KEY_RATE_LIMITS.get(key.prefix) or settings.OPEN311_RATE_LIMIT)
    code = data.get("service_code", "")
    category = selectors.category_list().filter(service_code=code).first() if code else None
    if category is None:
        raise Open311Error(400, _("service_code is missing or unknown."))
    _number(data.get("lat"), "lat")
    _number(data.get("long"), "long")
    raw_attributes: dict[str, list[str]] = {}
    for name in data:
        if name.startswith("attribute[") and "]" in name:
            raw_attributes.setdefault(name[len("attribute["):name.index("]")], []).extend(data.getlist(name))
    attributes = services.validate_attributes(category, raw_attributes)
    contact = {f: data.get(f, "")[:200] for f in CONTACT_FIELDS if data.get(f)}
    report = services.report_create(
        author=None, category=category, latitude=data.get("lat"), longitude=data.get("long"),
        description=data.get("description", ""), address=data.get("address_string", ""),
        photos=request.FILES.getlist("media"),
        attributes=attributes, source=Report.Source.OPEN311, api_key=key, contact=contact,
    )
    body = [{"service_request_id": str(report.pk), "token": str(report.token), "service_notice": "",
             "account_id": None}]
    return _respond(fmt, body, root="service_requests", item="request", status=201)


@require_GET
@_handles_errors
def request_detail(request: HttpRequest, request_id: str, fmt: str) -> HttpResponse:
    number = _request_id(request_id)
    report = (selectors.report_public_qs().select_related("category").filter(pk=number).first()
              if number is not None else None)
    if report is None:
        raise Open311Error(404, _("No service request with this id."))
    return _respond(fmt, _records(request, [report]), root="service_requests", item="request")


@require_GET
@_handles_errors
def token_detail(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    try:
        token_value = uuid.UUID(token)
    except ValueError:
        token_value = None
    report = selectors.report_public_qs().filter(token=token_value).first() if token_value else None
    if report is None:
        raise Open311Error(404, _("No service request for this token."))
    data = [{"service_request_id": str(report.pk), "token": str(report.token)}]
    return _respond(fmt, data, root="service_requests", item="request")
