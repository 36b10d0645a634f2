import io

from participation.core.registry import registry
from reports_map import services
from reports_map.demo import DEMO_COUNT, seed_reports
from reports_map.geo import inside_city
from reports_map.models import Report, ReportPhoto
from tests.reports_map.conftest import upload


def test_registered_everywhere():
    assert {"report", "report_photo"} <= set(registry.moderatables)
    assert "reports" in registry.metrics and "reports" in registry.exports and "reports" in registry.account_data
    assert {"reports_by_status", "reports_by_category", "median_days_to_fix"} <= set(registry.dashboard_tables)
    assert any(s.name == "reports" for s in registry.demo_seeders)


def test_export_rows_are_public_only_and_carry_no_personal_data(resident, staff_user, make_report):

    public = make_report(resident, photos=[upload()], show_name=True)
    private = make_report(resident, photos=[upload()])
    services.report_set_private(report=private, private=True, actor=staff_user)
    rows = list(registry.exports["reports"].rows())
    assert [r["id"] for r in rows] == [public.pk]
    assert set(rows[0]) == set(registry.exports["reports"].fields)
    assert "/media/public/reports/" in rows[0]["thumbnail_url"]
    assert resident.display_name not in str(rows)


def test_account_data_export_includes_photo_files(resident, make_report):

    make_report(resident, photos=[upload()])
    data, files = registry.account_data["reports"].export(resident)
    assert len(data["reports"]) == 1 and len(files) == 1
    assert files[0][1][:3] == b"\xff\xd8\xff"


def test_moderation_hiding_a_report_moves_its_photos(resident, make_report):
    from django.utils import timezone


    report = make_report(resident, photos=[upload()])
    report.hidden_at = timezone.now()
    report.save()
    registry.moderatables["report"].on_visibility_changed(report)
    assert ReportPhoto.objects.get().image.startswith("private/")


def test_demo_seeder_is_idempotent_and_inside_the_city(db):
    from participation.accounts.demo import seed_accounts

    out = io.StringIO()
    seed_accounts(stdout=out, password="demo-pass-2026-x", set_password=False)
    import random

    seed_reports(stdout=out, rng=random.Random(1))
    assert Report.objects.count() == DEMO_COUNT
    assert all(inside_city(lat, lon) for lat, lon in Report.objects.values_list("latitude", "longitude"))
    assert len(set(Report.objects.values_list("status", flat=True))) >= 4
    assert ReportPhoto.objects.count() >= DEMO_COUNT // 2
    seed_reports(stdout=out, rng=random.Random(1))
    assert Report.objects.count() == DEMO_COUNT
    assert "already there" in out.getvalue()


def test_blocking_the_author_moves_photos_out_of_public(resident, moderator, make_report,
                                                       django_capture_on_commit_callbacks):
    from participation.moderation.services import user_block, user_unblock

    make_report(resident, photos=[upload()])
    with django_capture_on_commit_callbacks(execute=True):
        user_block(actor=moderator, user_id=resident.pk, reason="spam")
    assert ReportPhoto.objects.get().image.startswith("private/")
    with django_capture_on_commit_callbacks(execute=True):
        user_unblock(actor=moderator, user_id=resident.pk, reason="appeal")
    assert ReportPhoto.objects.get().image.startswith("public/")
