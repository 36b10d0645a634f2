import csv
import io
import json
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from participation.core.maps import TILE_MAX_ZOOM, tile_config
from reports_map import services
from reports_map.models import Report, ReportDraft, ReportFollower, ReportPhoto, Status
from reports_map.views import photo_url
from tests.reports_map.conftest import CENTER, jpeg, media_files, upload


def form_data(cat, **extra):
    data = {"category": cat.pk, "latitude": str(CENTER[0]), "longitude": str(CENTER[1]),
            "description": "歩道に大きな穴があります", "address": "駅前"}
    data.update(extra)
    return data


def test_list_and_map_page_render_for_visitors(client, resident, make_report):
    report = make_report(resident)
    response = client.get(reverse("reports_map:list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert f"#{report.pk}" in body
    assert 'id="report-map-config"' in body and "vendor/leaflet/leaflet.js" in body
    assert "<script>" not in body.replace('<script type="application/json"', "")
    assert "style=" not in body


def page_json(body: str, script_id: str) -> dict:
    return json.loads(body.split(f'id="{script_id}" type="application/json">')[1].split("</script>")[0])


def test_tile_config_comes_from_settings(settings):
    settings.MAP_TILE_URL = "https://tiles.example.jp/{z}/{x}/{y}.png"
    settings.MAP_TILE_ATTRIBUTION = "© みらい市"
    assert tile_config() == {"tileUrl": "https://tiles.example.jp/{z}/{x}/{y}.png", "attribution": "© みらい市",
                             "maxZoom": TILE_MAX_ZOOM}


def test_map_pages_take_the_tiles_from_the_one_helper(client, resident, make_report):
    """List, form and report page: the tile settings from participation.core.maps, and the shared tile
    script loaded after Leaflet and before the page's own script (all deferred: they run in order)."""
    report = make_report(resident)
    client.force_login(resident)
    pages = [(reverse("reports_map:list"), "report-map-config", "reports_map/map.js"),
             (reverse("reports_map:detail", args=[report.pk]), "report-map-config", "reports_map/map.js"),
             (reverse("reports_map:new"), "report-form-config", "reports_map/report_form.js")]
    for url, script_id, own_script in pages:
        body = client.get(url).content.decode()
        assert page_json(body, script_id).items() >= tile_config().items(), url
        order = [body.index(s) for s in ("vendor/leaflet/leaflet.js", "participation/map_tiles.js", own_script)]
        assert order == sorted(order), url


def test_only_the_shared_script_makes_tile_layers():
    static = Path(django_settings.BASE_DIR) / "static"
    makers = sorted(str(p.relative_to(static)) for p in static.rglob("*.js") if "L.tileLayer(" in p.read_text())
    assert makers == ["participation/map_tiles.js"]


def test_english_list(client, db):
    response = client.get("/en/reports/")
    assert response.status_code == 200
    assert "Reports map" in response.content.decode()


def test_list_filters(client, resident, make_report, other_category):
    pothole = make_report(resident)
    light = make_report(resident, cat=other_category)
    body = client.get(reverse("reports_map:list") + "?category=streetlight").content.decode()
    assert f"#{light.pk} " in body and f"#{pothole.pk} " not in body


def test_new_report_requires_login(client, db):
    response = client.get(reverse("reports_map:new"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_new_report_without_duplicates_is_filed_directly(client, resident, category, settings):
    client.force_login(resident)
    data = form_data(category, photos=[upload(jpeg(gps=False))])
    response = client.post(reverse("reports_map:new"), data)
    report = Report.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reports_map:detail", args=[report.pk])
    assert report.address == "駅前" and report.photos.count() == 1 and report.show_name is False
    detail = client.get(response["Location"]).content.decode()
    assert "歩道に大きな穴があります" in detail and resident.display_name not in detail.split("<main")[1]


def test_nearby_duplicate_gives_two_step_confirmation(client, resident, other_resident, make_report, category):
    existing = make_report(other_resident, lat=CENTER[0] + 0.0005, lon=CENTER[1])  # ~55 m
    client.force_login(resident)
    response = client.post(reverse("reports_map:new"), form_data(category, photos=[upload()]))
    draft = ReportDraft.objects.get()
    assert response["Location"] == reverse("reports_map:confirm", args=[draft.token])
    assert Report.objects.count() == 1  # nothing filed yet
    page = client.get(response["Location"]).content.decode()
    assert f"#{existing.pk}" in page and "m" in page
    response = client.post(response["Location"], {"action": "submit"})
    report = Report.objects.exclude(pk=existing.pk).get()
    assert response["Location"] == reverse("reports_map:detail", args=[report.pk])
    assert report.photos.count() == 1
    assert not ReportDraft.objects.exists()


def test_me_too_follows_instead(client, resident, other_resident, make_report, category):
    existing = make_report(other_resident, lat=CENTER[0] + 0.0005, lon=CENTER[1])
    client.force_login(resident)
    confirm = client.post(reverse("reports_map:new"), form_data(category))["Location"]
    response = client.post(confirm, {"action": "follow", "report": existing.pk})
    assert response["Location"] == reverse("reports_map:detail", args=[existing.pk])
    assert Report.objects.count() == 1
    assert ReportFollower.objects.get(report=existing, user=resident).me_too


def test_far_report_of_same_category_is_not_a_duplicate(client, resident, other_resident, make_report, category):
    make_report(other_resident, lat=CENTER[0] + 0.004, lon=CENTER[1])  # ~450 m
    client.force_login(resident)
    client.post(reverse("reports_map:new"), form_data(category))
    assert Report.objects.count() == 2


def test_location_from_photo_exif_is_offered_for_confirmation(client, resident, category):
    client.force_login(resident)
    response = client.post(reverse("reports_map:new"), form_data(category, latitude="", longitude="",
                                                                  photos=[upload()]))
    draft = ReportDraft.objects.get()
    assert draft.data["location_from_photo"] is True
    assert draft.data["latitude"] == pytest.approx(35 + 40 / 60 + 52 / 3600)
    page = client.get(response["Location"]).content.decode()
    assert "35.681111" in page


@pytest.mark.parametrize("extra,field_text", [
    ({"latitude": "91"}, "90"),
    ({"longitude": "NaN"}, ""),
    ({"latitude": "1e309"}, ""),
    ({"latitude": "139.56", "longitude": "35.6812"}, ""),
    ({"latitude": "35.0", "longitude": "135.0"}, ""),
    ({"latitude": "", "longitude": ""}, ""),
    ({"description": "穴" * 5000}, "4000"),
    ({"description": ""}, ""),
    ({"category": "9999"}, ""),
])
def test_bad_form_input_is_refused_with_errors_and_nothing_stored(client, resident, category, settings, extra,
                                                                   field_text):
    client.force_login(resident)
    response = client.post(reverse("reports_map:new"), form_data(category, photos=[upload(jpeg(gps=False))], **extra))
    assert response.status_code == 400
    body = response.content.decode()
    assert 'role="alert"' in body and 'aria-invalid="true"' in body or "form-errors" in body
    assert field_text in body
    assert Report.objects.count() == 0 and ReportDraft.objects.count() == 0
    assert media_files(settings) == []


@pytest.mark.parametrize("name,content", [
    ("photo.jpg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
    ("photo.jpg", b"<html></html>"),
])
def test_bad_photos_in_form(client, resident, category, settings, name, content):
    client.force_login(resident)
    response = client.post(reverse("reports_map:new"), form_data(category, photos=[upload(content, name)]))
    assert response.status_code == 400  # refused: the same page with its errors, not a 200 (issue 17)
    assert "JPEG" in response.content.decode() or "写真" in response.content.decode()
    assert Report.objects.count() == 0 and media_files(settings) == []


def test_four_photos_in_form(client, resident, category, settings):
    client.force_login(resident)
    response = client.post(reverse("reports_map:new"),
                           form_data(category, photos=[upload(jpeg(gps=False)) for _ in range(4)]))
    assert response.status_code == 400 and Report.objects.count() == 0 and media_files(settings) == []


def test_30_mb_photo_in_form(client, resident, category, settings):
    client.force_login(resident)
    big = b"\xff\xd8\xff" + b"\x00" * (30 * 1024 * 1024)
    response = client.post(reverse("reports_map:new"), form_data(category, photos=[upload(big)]))
    assert response.status_code == 413 and Report.objects.count() == 0 and media_files(settings) == []
    assert "10" in response.content.decode() and 'name="description"' in response.content.decode()  # same page
    location = client.post(reverse("reports_map:photo_location"), {"photo": upload(big)})
    assert location.status_code == 413 and location.json()["error"]


def test_rate_limit_gives_translated_429(client, resident, category, settings):
    settings.RATE_LIMITS_ENABLED = True
    settings.RATE_LIMITS = {"report": "1/3600"}
    client.force_login(resident)
    client.post(reverse("reports_map:new"), form_data(category))
    response = client.post(reverse("reports_map:new"), form_data(category))
    assert response.status_code == 429
    assert Report.objects.count() == 1


def test_private_report_invisible_to_others_everywhere(client, resident, other_resident, staff_user, make_report,
                                                       settings, django_capture_on_commit_callbacks):
    report = make_report(resident, photos=[upload()])
    with django_capture_on_commit_callbacks(execute=True):  # the public copy goes when the change commits
        services.report_set_private(report=report, private=True, actor=staff_user)
    photo = ReportPhoto.objects.get()
    detail = reverse("reports_map:detail", args=[report.pk])
    photo_url = reverse("reports_map:photo", args=[photo.pk, "image"])
    for user in (None, other_resident):
        client.logout()
        if user:
            client.force_login(user)
        assert client.get(detail).status_code == 404
        assert client.get(photo_url).status_code == 404
        assert f"#{report.pk}" not in client.get(reverse("reports_map:list")).content.decode()
        assert client.get(reverse("reports_map:geojson") + "?zoom=18").json()["features"] == []
        assert client.get(reverse("reports_map:geojson") + "?zoom=10").json()["features"] == []
        assert client.get(reverse("reports_map:geojson")).json()["features"] == []
        assert client.get(f"/open311/v2/requests/{report.pk}.json").status_code == 404
        assert client.get(reverse("reports_map:triage_export")).status_code == 403
        assert client.post(reverse("reports_map:follow", args=[report.pk])).status_code in (302, 404)
        assert not ReportFollower.objects.filter(report=report, user=other_resident).exists()
    # The public file is gone from /media/public/ too.
    assert all(not f.startswith("public/") for f in media_files(settings))
    client.force_login(resident)  # the reporter still sees their own report
    assert client.get(detail).status_code == 200
    assert client.get(photo_url).status_code == 200
    client.force_login(staff_user)
    assert client.get(detail).status_code == 200


def test_other_resident_cannot_use_staff_actions(client, resident, other_resident, make_report):
    report = make_report(resident, photos=[upload()])
    photo = report.photos.get()
    client.force_login(other_resident)
    for name, data in (("update", {"status": "fixed", "text": "x"}), ("assign", {}), ("move", {"latitude": 35.68,
                       "longitude": 139.56}), ("private", {"private": "1"})):
        assert client.post(reverse(f"reports_map:{name}", args=[report.pk]), data).status_code == 403
    assert client.post(reverse("reports_map:photo_hide", args=[photo.pk]), {"hidden": "1"}).status_code == 403
    assert client.get(reverse("reports_map:triage")).status_code == 403
    assert client.get(reverse("reports_map:api_keys")).status_code == 403
    report.refresh_from_db()
    assert report.status == Status.OPEN and not report.private
    assert report.photos.get().hidden_at is None


def test_staff_update_with_photo_via_view(client, resident, staff_user, make_report):
    report = make_report(resident)
    client.force_login(staff_user)
    response = client.post(reverse("reports_map:update", args=[report.pk]),
                           {"status": "in_progress", "text": "対応中です", "photo": upload()})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.IN_PROGRESS and report.photos.count() == 1
    page = client.get(reverse("reports_map:detail", args=[report.pk])).content.decode()
    assert "対応中です" in page
    client.force_login(resident)
    assert "対応中です" in client.get(reverse("reports_map:detail", args=[report.pk])).content.decode()


def test_staff_update_with_bad_photo_changes_nothing(client, resident, staff_user, make_report, settings):
    report = make_report(resident)
    client.force_login(staff_user)
    client.post(reverse("reports_map:update", args=[report.pk]),
                {"status": "fixed", "text": "x", "photo": upload(b"<svg/>")})
    report.refresh_from_db()
    assert report.status == Status.OPEN and media_files(settings) == []


def test_staff_move_hide_photo_and_private_via_views(client, resident, staff_user, make_report):
    report = make_report(resident, photos=[upload()])
    photo = report.photos.get()
    client.force_login(staff_user)
    client.post(reverse("reports_map:move", args=[report.pk]), {"latitude": "35.685", "longitude": "139.565"})
    client.post(reverse("reports_map:move", args=[report.pk]), {"latitude": "91", "longitude": "139.565"})
    client.post(reverse("reports_map:photo_hide", args=[photo.pk]), {"hidden": "1"})
    client.post(reverse("reports_map:assign", args=[report.pk]), {"assignee": staff_user.pk})
    report.refresh_from_db()
    photo.refresh_from_db()
    assert (report.latitude, report.longitude) == (35.685, 139.565)
    assert photo.hidden_at is not None and photo.image.startswith("private/")
    assert report.assigned_to == staff_user
    client.force_login(resident)
    assert client.get(reverse("reports_map:photo", args=[photo.pk, "image"])).status_code == 404


def test_triage_queue_filters_bulk_and_csv(client, resident, staff_user, make_report, other_category):
    a = make_report(resident, description="=HYPERLINK(\"http://evil\")")
    b = make_report(resident, cat=other_category)
    client.force_login(staff_user)
    page = client.get(reverse("reports_map:triage") + "?category=streetlight").content.decode()
    assert f"#{b.pk}" in page and f"#{a.pk}<" not in page
    response = client.post(reverse("reports_map:triage"), {"report": [a.pk, b.pk], "status": "acknowledged"})
    assert response.status_code == 302
    assert set(Report.objects.values_list("status", flat=True)) == {"acknowledged"}
    csv_response = client.get(reverse("reports_map:triage_export"))
    assert csv_response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
    descriptions = [row[7] for row in rows[1:]]
    assert "'=HYPERLINK(\"http://evil\")" in descriptions
    page = client.get(reverse("reports_map:triage") + "?older_than_days=5").content.decode()
    assert f"#{a.pk}" not in page


def test_api_keys_page(client, staff_user):
    client.force_login(staff_user)
    response = client.post(reverse("reports_map:api_keys"), {"name": "partner app"})
    assert response.status_code == 200
    key = response.context["new_key"]
    assert key and key in response.content.decode()
    assert services.open311_key_check(key) is not None


def test_follow_and_unfollow(client, resident, other_resident, make_report):
    report = make_report(resident)
    client.force_login(other_resident)
    client.post(reverse("reports_map:follow", args=[report.pk]), {"me_too": "1"})
    assert ReportFollower.objects.filter(report=report, user=other_resident, me_too=True).exists()
    client.post(reverse("reports_map:follow", args=[report.pk]), {"unfollow": "1"})
    assert not ReportFollower.objects.filter(report=report, user=other_resident).exists()


def test_photo_location_helper(client, resident):
    client.force_login(resident)
    response = client.post(reverse("reports_map:photo_location"), {"photo": upload()})
    data = response.json()
    assert data["inside"] is True and data["latitude"] == pytest.approx(35.681111, abs=1e-5)
    assert client.post(reverse("reports_map:photo_location"), {"photo": upload(b"<svg/>")}).status_code == 400


def test_nearby_json(client, resident, make_report, category):
    report = make_report(resident)
    data = client.get(reverse("reports_map:nearby") + f"?category_id={category.pk}&lat={CENTER[0]}&lon={CENTER[1]}").json()
    assert [r["id"] for r in data["reports"]] == [report.pk]
    assert client.get(reverse("reports_map:nearby") + "?lat=x&lon=y").status_code == 400


def test_detail_shows_answers_to_extra_questions(client, resident, make_report):
    report = make_report(resident, attributes={"size": "large"})
    with __import__("django.utils.translation", fromlist=["override"]).override("en"):
        body = client.get(reverse("reports_map:detail", args=[report.pk])).content.decode()
    assert "Size of the hole or crack" in body and "Large (bigger)" in body


def test_staff_sees_category_admin(client, staff_user, resident):
    """Categories are edited in the Wagtail admin (issue 12); tests/journeys/test_categories_admin.py has more."""
    client.force_login(staff_user)
    assert client.get("/admin/snippets/reports_map/category/").status_code == 200
    client.force_login(resident)
    assert client.get("/admin/snippets/reports_map/category/").status_code in (302, 403)


def test_report_photo_url_is_served_while_public_and_404_once_hidden(client, resident, moderator, make_report,
                                                                      django_capture_on_commit_callbacks):
    """The URL the page shows is really served (MEDIA_URL public/ route), and stops being served the
    moment a moderator hides the report; unhidden, the photo is served again."""
    from participation.moderation import services as moderation

    report = make_report(resident, photos=[upload()])
    photo = report.photos.get()
    public_urls = [photo_url(photo), photo_url(photo, thumbnail=True)]
    assert all(url.startswith("/media/public/reports/") for url in public_urls)
    for url in public_urls:
        response = client.get(url)
        assert response.status_code == 200 and b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"
    with django_capture_on_commit_callbacks(execute=True):
        moderation.item_hide(actor=moderator, kind="report", object_id=report.pk, reason="個人が写っている")
    photo.refresh_from_db()
    assert not photo.is_public_file
    assert [client.get(url).status_code for url in public_urls] == [404, 404]
    assert client.get(photo_url(photo)).status_code == 404  # the checked view: hidden from the public
    with django_capture_on_commit_callbacks(execute=True):
        moderation.item_unhide(actor=moderator, kind="report", object_id=report.pk)
    photo.refresh_from_db()
    assert client.get(photo_url(photo)).status_code == 200
