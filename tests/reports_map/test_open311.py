import io
import json
import struct
import zlib
from xml.etree import ElementTree as ET

import pytest
from django.core.management import call_command
from PIL import Image

from reports_map import services
from reports_map.models import Report, ReportPhoto, Status
from tests.reports_map.conftest import CENTER, jpeg, media_files

BASE = "/open311/v2"


@pytest.fixture
def api_key(db):
    return services.open311_key_create(name="test client")[1]


def post(client, key, **data):
    files = data.pop("files", {})
    base = {"api_key": key, "service_code": "road-pothole", "lat": CENTER[0], "long": CENTER[1],
            "description": "道路に穴"}
    base.update(data)
    payload = {k: v for k, v in base.items() if v is not None}
    payload.update(files)
    return client.post(BASE + "/requests.json", payload)


def bomb_png():
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", 60000, 60000, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 1000)) + chunk(b"IEND", b"")


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_discovery_services_and_definition(client, db, fmt):
    for path in ("/discovery", "/services", "/services/road-pothole", "/requests"):
        response = client.get(f"{BASE}{path}.{fmt}")
        assert response.status_code == 200, path
        if fmt == "xml":
            ET.fromstring(response.content)  # noqa: S314 (our own response)
    services_list = client.get(BASE + "/services.json").json()
    codes = {s["service_code"] for s in services_list}
    assert {"road-pothole", "streetlight", "other"} <= codes
    pothole = next(s for s in services_list if s["service_code"] == "road-pothole")
    assert pothole["metadata"] is True and pothole["type"] == "realtime"
    definition = client.get(BASE + "/services/road-pothole.json").json()
    attribute = definition["attributes"][0]
    assert attribute["code"] == "size" and attribute["datatype"] == "singlevaluelist"
    assert {v["key"] for v in attribute["values"]} == {"small", "medium", "large"}
    xml = ET.fromstring(client.get(BASE + "/services/road-pothole.xml").content)  # noqa: S314 (our own response)
    assert xml.tag == "service_definition" and xml.find("attributes/attribute/code").text == "size"


def test_unknown_service_is_404_in_spec_format(client, db):
    response = client.get(BASE + "/services/nope.json")
    assert response.status_code == 404
    assert response.json()[0]["code"] == 404 and response.json()[0]["description"]
    xml = ET.fromstring(client.get(BASE + "/services/nope.xml").content)  # noqa: S314 (our own response)
    assert xml.tag == "errors" and xml.find("error/code").text == "404"


def test_post_with_photo_then_read_back_without_exif(client, api_key, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = post(client, api_key, files={"media": SimpleUploadedFile("p.jpg", jpeg(), "image/jpeg")},
                    **{"attribute[size]": "small", "email": "x@example.jp", "first_name": "太郎"})
    assert response.status_code == 201, response.content
    body = response.json()[0]
    rid, token = body["service_request_id"], body["token"]
    report = Report.objects.get(pk=rid)
    assert report.source == "open311" and report.attributes == {"size": "small"}
    assert report.contact == {"email": "x@example.jp", "first_name": "太郎"}
    one = client.get(f"{BASE}/requests/{rid}.json").json()[0]
    assert one["status"] == "open" and one["lat"] == CENTER[0]
    assert "x@example.jp" not in json.dumps(one)
    media = one["media_url"]
    assert media.startswith("http://testserver/media/public/reports/")
    path = settings.MEDIA_ROOT / media.split("/media/", 1)[1]
    blob = path.read_bytes()
    assert b"Exif" not in blob[:4096] and not Image.open(io.BytesIO(blob)).getexif()
    assert client.get(f"{BASE}/tokens/{token}.json").json()[0]["service_request_id"] == rid
    assert client.get(f"{BASE}/tokens/not-a-token.json").status_code == 404


@pytest.mark.parametrize("data,status", [
    ({"api_key": None}, 403),
    ({"api_key": "wrong"}, 403),
    ({"service_code": "nope"}, 400),
    ({"lat": 91}, 400),
    ({"long": "nan"}, 400),
    ({"lat": "1e309"}, 400),
    ({"lat": 139.56, "long": 35.6812}, 400),
    ({"lat": 35.0, "long": 135.0}, 400),
    ({"lat": None}, 400),
    ({"description": "穴" * 4001}, 400),
    ({"description": " \x00\r\n "}, 400),
    ({"attribute[size]": "huge"}, 400),
])
def test_bad_posts_are_refused_and_store_nothing(client, api_key, settings, data, status):
    response = post(client, api_key, **data)
    assert response.status_code == status, response.content
    error = response.json()[0]
    assert error["code"] == status and error["description"]
    assert Report.objects.count() == 0
    assert media_files(settings) == []


@pytest.mark.parametrize("name,content", [
    ("x.jpg", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"),
    ("x.jpg", b"<html><body>hi</body></html>"),
    ("x.png", bomb_png()),
])
def test_bad_media_is_refused(client, api_key, settings, name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = post(client, api_key, files={"media": SimpleUploadedFile(name, content, "image/jpeg")})
    assert response.status_code == 400
    assert Report.objects.count() == 0 and ReportPhoto.objects.count() == 0
    assert media_files(settings) == []


def test_too_large_media_is_413(client, api_key, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    big = b"\xff\xd8\xff" + b"\x00" * (settings.PHOTO_MAX_BYTES + 10)
    response = post(client, api_key, files={"media": SimpleUploadedFile("big.jpg", big, "image/jpeg")})
    assert response.status_code == 413 and response.json()[0]["code"] == 413
    assert Report.objects.count() == 0 and media_files(settings) == []


def test_markup_in_description_is_kept_as_text(client, api_key):
    typed = "<b>穴</b><script>alert(1)</script>があります"
    response = post(client, api_key, description=typed)
    assert response.status_code == 201
    assert Report.objects.get().description == typed


def test_post_is_csrf_exempt(api_key, db):
    from django.test import Client

    response = post(Client(enforce_csrf_checks=True), api_key)
    assert response.status_code == 201


def test_requests_filters_and_private_reports_never_listed(client, resident, staff_user, make_report, other_category):
    public = make_report(resident)
    private = make_report(resident)
    hidden = make_report(resident)
    light = make_report(resident, cat=other_category)
    services.report_set_private(report=private, private=True, actor=staff_user)
    Report.objects.filter(pk=hidden.pk).update(hidden_at="2026-01-01T00:00:00Z")
    services.report_update_post(report=light, actor=staff_user, status=Status.FIXED, text="直しました")
    ids = {r["service_request_id"] for r in client.get(BASE + "/requests.json").json()}
    assert ids == {str(public.pk), str(light.pk)}
    assert client.get(f"{BASE}/requests/{private.pk}.json").status_code == 404
    assert client.get(f"{BASE}/requests/{hidden.pk}.xml").status_code == 404
    assert client.get(BASE + f"/requests.json?service_request_id={private.pk},{public.pk}").json()[0][
        "service_request_id"] == str(public.pk)
    assert [r["service_request_id"] for r in client.get(BASE + "/requests.json?status=closed").json()] == [str(light.pk)]
    closed = client.get(BASE + "/requests.json?status=closed").json()[0]
    assert closed["status_notes"] == "直しました"
    assert [r["service_request_id"] for r in client.get(BASE + "/requests.json?service_code=streetlight").json()] == [
        str(light.pk)]
    assert client.get(BASE + "/requests.json?start_date=2000-01-01T00:00:00Z&end_date=2000-02-01T00:00:00Z").json() == []
    assert client.get(BASE + "/requests.json?start_date=yesterday").status_code == 400
    assert client.get(BASE + "/requests.json?status=weird").status_code == 400


def test_default_window_is_90_days(client, resident, make_report):
    from datetime import timedelta

    from django.utils import timezone

    old = make_report(resident)
    Report.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=120))
    recent = make_report(resident)
    ids = [r["service_request_id"] for r in client.get(BASE + "/requests.json").json()]
    assert ids == [str(recent.pk)]


def test_xml_requests(client, resident, make_report):
    make_report(resident)
    root = ET.fromstring(client.get(BASE + "/requests.xml").content)  # noqa: S314 (our own response)
    assert root.tag == "service_requests" and root.find("request/service_code").text == "road-pothole"


def test_rate_limit_applies_to_open311_per_key(client, api_key, settings):
    """Each key has its own limit, configurable per key; the web form's per-IP "report" limit is not spent."""
    from reports_map.models import Open311ApiKey

    settings.RATE_LIMITS_ENABLED = True
    settings.RATE_LIMITS = {"report": "1/3600"}
    settings.OPEN311_RATE_LIMIT = "3/3600"
    settings.OPEN311_KEY_RATE_LIMITS = {api_key[:8]: "2/3600"}
    assert Open311ApiKey.objects.filter(prefix=api_key[:8]).exists()
    assert post(client, api_key).status_code == 201
    assert post(client, api_key).status_code == 201
    response = post(client, api_key)
    assert response.status_code == 429 and response["Retry-After"]
    assert response.json()[0]["code"] == 429 and response.json()[0]["description"]
    other = services.open311_key_create(name="aggregator")[1]  # same IP, its own (default) limit
    assert [post(client, other).status_code for _ in range(4)] == [201, 201, 201, 429]


@pytest.mark.parametrize("path", [
    "/requests.json?service_request_id=99999999999999999999",
    "/requests.json?service_request_id=9223372036854775808,1",
    "/requests.xml?service_request_id=-1,%EF%BC%91,%C2%B2",
    "/requests/99999999999999999999.json",
    "/requests/9223372036854775808.xml",
    "/requests/0.json",
])
def test_ids_out_of_range_are_not_found(client, db, path):
    response = client.get(BASE + path)
    if path.startswith("/requests/"):
        assert response.status_code == 404
    elif path.startswith("/requests.json"):
        assert response.status_code == 200 and response.json() == []
    else:
        assert response.status_code == 200 and b"<request>" not in response.content


def test_open311_key_command_prints_key_last(db):
    out = io.StringIO()
    call_command("open311_key", "create", "--name", "contract", stdout=out)
    key = out.getvalue().strip().splitlines()[-1].split()[-1]
    assert services.open311_key_check(key) is not None
