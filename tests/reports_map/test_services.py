import io
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from PIL import Image

from participation.models import Notification
from reports_map import services
from reports_map.models import Report, ReportFollower, ReportPhoto, ReportUpdate, Status
from tests.reports_map.conftest import CENTER, jpeg, media_files, upload


def processed(gps=True):
    """A photo as a resident uploads it: ``report_create`` runs it through the pipeline itself."""
    return upload(jpeg(gps=gps))


def test_report_create_stores_reencoded_photo_without_exif_under_public(resident, make_report, settings):
    report = make_report(resident, photos=[processed()])
    photo = report.photos.get()
    assert photo.image.startswith("public/reports/") and photo.thumbnail.startswith("public/reports/")
    blob = (Path(settings.MEDIA_ROOT) / photo.image).read_bytes()
    assert b"Exif" not in blob and b"TestCam" not in blob
    assert not Image.open(io.BytesIO(blob)).getexif()
    assert "photo" not in photo.image  # server-generated name, nothing of the upload's name
    assert report.status == Status.OPEN
    assert report.show_name is False
    assert ReportFollower.objects.filter(report=report, user=resident).exists()
    assert report.updates.get().status_to == Status.OPEN


def test_four_photos_are_refused_and_nothing_is_stored(resident, make_report, settings):
    with pytest.raises(ValidationError):
        make_report(resident, photos=[processed()] * 4)
    assert Report.objects.count() == 0
    assert media_files(settings) == []


def test_description_of_5000_characters_is_refused(resident, make_report):
    with pytest.raises(ValidationError) as info:
        make_report(resident, description="穴" * 5000)
    assert "4000" in info.value.messages[0]
    assert Report.objects.count() == 0


def test_markup_in_description_is_text_stored_as_typed(resident, make_report):
    typed = '<script>alert(1)</script><b>穴</b> <a href="javascript:x">link</a>'
    report = make_report(resident, description=typed, address="<i>駅前</i>")
    assert (report.description, report.address) == (typed, "<i>駅前</i>")


def test_control_characters_go_and_newlines_are_normalised(resident, make_report):
    report = make_report(resident, description=" 穴が\r\nあり\x00ま\x1bす\r ")
    assert report.description == "穴が\nあります"
    with pytest.raises(ValidationError):
        make_report(resident, description="\x00\x07 ")


@pytest.mark.parametrize("lat,lon", [(91, 139.56), ("NaN", 139.56), ("1e309", 139.56), (139.56, 35.6812), (35.0, 135.0)])
def test_bad_location_stores_nothing(resident, make_report, settings, lat, lon):
    with pytest.raises(ValidationError):
        make_report(resident, lat=lat, lon=lon, photos=[processed()])
    assert Report.objects.count() == 0 and ReportPhoto.objects.count() == 0
    assert media_files(settings) == []


def test_files_are_removed_when_the_transaction_fails(resident, make_report, settings, monkeypatch):
    def boom(**kwargs):
        raise RuntimeError("db down")

    monkeypatch.setattr(ReportFollower.objects, "create", boom)
    with pytest.raises(RuntimeError):
        make_report(resident, photos=[processed()])
    assert Report.objects.count() == 0
    assert media_files(settings) == []


def test_anonymous_web_report_is_refused(db, make_report):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        make_report(AnonymousUser())


def test_inactive_category_is_refused(resident, make_report, category):
    category.active = False
    category.save()
    with pytest.raises(ValidationError):
        make_report(resident)


def test_staff_update_changes_status_keeps_history_and_notifies(resident, other_resident, staff_user, make_report):
    report = make_report(resident)
    services.report_follow(report=report, user=other_resident, me_too=True)
    services.report_update_post(report=report, actor=staff_user, text="現地を確認しました", status=Status.IN_PROGRESS,
                                photo=processed())
    report.refresh_from_db()
    assert report.status == Status.IN_PROGRESS
    update = report.updates.last()
    assert (update.status_from, update.status_to, update.text) == (Status.OPEN, Status.IN_PROGRESS, "現地を確認しました")
    assert update.photos.count() == 1
    recipients = set(Notification.objects.values_list("recipient__username", flat=True))
    assert recipients == {"alice", "bob"}


def test_fixed_sets_fixed_at(resident, staff_user, make_report):
    report = make_report(resident)
    services.report_update_post(report=report, actor=staff_user, status=Status.FIXED)
    report.refresh_from_db()
    assert report.fixed_at is not None


def test_duplicate_needs_the_original(resident, staff_user, make_report):
    first, second = make_report(resident), make_report(resident)
    with pytest.raises(ValidationError):
        services.report_update_post(report=second, actor=staff_user, status=Status.CLOSED_DUPLICATE)
    services.report_update_post(report=second, actor=staff_user, status=Status.CLOSED_DUPLICATE, duplicate_of=first)
    second.refresh_from_db()
    assert second.duplicate_of == first


def test_empty_update_is_refused(resident, staff_user, make_report):
    report = make_report(resident)
    with pytest.raises(ValidationError):
        services.report_update_post(report=report, actor=staff_user, text="  ", status=report.status)


@pytest.mark.parametrize("fn,kwargs", [
    ("report_update_post", {"text": "x", "status": "fixed"}),
    ("report_move", {"latitude": 35.68, "longitude": 139.56}),
    ("report_set_private", {"private": True}),
    ("report_assign", {"assignee": None}),
])
def test_residents_cannot_change_reports_even_their_own(resident, other_resident, make_report, fn, kwargs):
    report = make_report(resident)
    for actor in (resident, other_resident):
        with pytest.raises(PermissionDenied):
            getattr(services, fn)(report=report, actor=actor, **kwargs)
    report.refresh_from_db()
    assert report.status == Status.OPEN and not report.private


def test_bulk_status(resident, staff_user, make_report):
    reports = [make_report(resident) for _ in range(3)]
    changed = services.report_bulk_set_status(report_ids=[r.pk for r in reports], status=Status.ACKNOWLEDGED,
                                              actor=staff_user)
    assert changed == 3
    assert set(Report.objects.values_list("status", flat=True)) == {Status.ACKNOWLEDGED}
    assert ReportUpdate.objects.filter(status_to=Status.ACKNOWLEDGED).count() == 3
    with pytest.raises(ValidationError):
        services.report_bulk_set_status(report_ids=[reports[0].pk], status="bogus", actor=staff_user)


def test_assign_only_to_staff(resident, staff_user, make_report):
    report = make_report(resident)
    with pytest.raises(ValidationError):
        services.report_assign(report=report, assignee=resident, actor=staff_user)
    services.report_assign(report=report, assignee=staff_user, actor=staff_user)
    assert Report.objects.get(pk=report.pk).assigned_to == staff_user


def test_move_pin_validates(resident, staff_user, make_report):
    report = make_report(resident)
    with pytest.raises(ValidationError):
        services.report_move(report=report, latitude=91, longitude=139.56, actor=staff_user)
    services.report_move(report=report, latitude=35.685, longitude=139.565, actor=staff_user)
    report.refresh_from_db()
    assert (report.latitude, report.longitude) == (35.685, 139.565)


def test_private_report_moves_its_photos_out_of_public(resident, staff_user, make_report, settings,
                                                       django_capture_on_commit_callbacks):
    report = make_report(resident, photos=[processed()])
    with django_capture_on_commit_callbacks(execute=True):  # the public copy goes when the change commits
        services.report_set_private(report=report, private=True, actor=staff_user)
    photo = ReportPhoto.objects.get()
    assert photo.image.startswith("private/") and photo.thumbnail.startswith("private/")
    assert all(not f.startswith("public/") for f in media_files(settings))
    services.report_set_private(report=report, private=False, actor=staff_user)
    assert ReportPhoto.objects.get().image.startswith("public/")


def test_hidden_photo_leaves_public(resident, staff_user, make_report, settings):
    report = make_report(resident, photos=[processed(), processed()])
    first = report.photos.first()
    services.report_photo_set_hidden(photo=first, hidden=True, actor=staff_user, reason="face")
    first.refresh_from_db()
    assert first.image.startswith("private/")
    assert report.photos.last().image.startswith("public/")


def test_draft_then_create(resident, category):
    draft = services.report_draft_create(
        user=resident, photos=[processed()],
        data={"category_id": category.pk, "latitude": CENTER[0], "longitude": CENTER[1], "description": "穴",
              "address": "", "attributes": {}, "show_name": False},
    )
    report = services.report_create_from_draft(user=resident, token=draft.token)
    assert report.photos.count() == 1
    with pytest.raises(ValidationError):
        services.report_create_from_draft(user=resident, token=draft.token)


def test_draft_belongs_to_its_user(resident, other_resident, category):
    draft = services.report_draft_create(user=resident, photos=[], data={"category_id": category.pk, "description": "穴"})
    with pytest.raises(ValidationError):
        services.report_create_from_draft(user=other_resident, token=draft.token)


def test_draft_follow_instead(resident, other_resident, make_report, category):
    existing = make_report(other_resident)
    draft = services.report_draft_create(user=resident, photos=[], data={"category_id": category.pk, "description": "穴"})
    services.report_draft_discard_and_follow(user=resident, token=draft.token, report=existing)
    assert ReportFollower.objects.get(report=existing, user=resident).me_too
    assert Report.objects.count() == 1


def test_cannot_follow_private_report(resident, other_resident, staff_user, make_report):
    report = make_report(resident)
    services.report_set_private(report=report, private=True, actor=staff_user)
    with pytest.raises(PermissionDenied):
        services.report_follow(report=report, user=other_resident)


def test_attributes_validated(resident, category, make_report):
    from reports_map.models import CategoryQuestion

    question = CategoryQuestion.objects.get(category=category, code="size")
    question.required = True
    question.save()
    with pytest.raises(ValidationError):
        services.validate_attributes(category, {})
    with pytest.raises(ValidationError):
        services.validate_attributes(category, {"size": ["huge"]})
    assert services.validate_attributes(category, {"size": ["small"]}) == {"size": "small"}


def test_open311_key_digest_only(db):
    key, raw = services.open311_key_create(name="client")
    assert raw not in (key.digest, key.prefix)
    assert services.open311_key_check(raw) == key
    assert services.open311_key_check("wrong") is None
    key.active = False
    key.save()
    assert services.open311_key_check(raw) is None


def test_anonymise(resident, make_report):
    report = make_report(resident, show_name=True, photos=[processed()])
    services.reports_anonymise_user(resident)
    report.refresh_from_db()
    assert report.author is None and not report.show_name
    assert not ReportFollower.objects.filter(user=resident).exists()
    assert report.photos.get().uploaded_by is None
