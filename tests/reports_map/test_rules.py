import pytest
from django.contrib.auth.models import AnonymousUser

from reports_map import services


@pytest.fixture
def report(resident, make_report):
    return make_report(resident)


def test_add_report(resident, moderator, staff_user):
    assert not AnonymousUser().has_perm("reports_map.add_report")
    assert resident.has_perm("reports_map.add_report")


def test_blocked_user_cannot_report(resident):
    from django.utils import timezone

    resident.blocked_at = timezone.now()
    assert not resident.has_perm("reports_map.add_report")


def test_view_public_report(report, other_resident):
    assert AnonymousUser().has_perm("reports_map.view_report", report)
    assert other_resident.has_perm("reports_map.view_report", report)


def test_private_report(report, resident, other_resident, staff_user, moderator, council_member):
    services.report_set_private(report=report, private=True, actor=staff_user)
    assert resident.has_perm("reports_map.view_report", report)
    assert staff_user.has_perm("reports_map.view_report", report)
    for user in (AnonymousUser(), other_resident, moderator, council_member):
        assert not user.has_perm("reports_map.view_report", report)
        assert not user.has_perm("reports_map.follow_report", report)


def test_hidden_report_only_staff(report, resident, other_resident, staff_user):
    from django.utils import timezone

    report.hidden_at = timezone.now()
    assert not resident.has_perm("reports_map.view_report", report)
    assert not other_resident.has_perm("reports_map.view_report", report)
    assert staff_user.has_perm("reports_map.view_report", report)


@pytest.mark.parametrize("perm", ["reports_map.change_report", "reports_map.triage_report",
                                  "reports_map.manage_categories", "reports_map.manage_open311_keys"])
def test_staff_only(perm, report, resident, other_resident, moderator, council_member, staff_user):
    for user in (AnonymousUser(), resident, other_resident, moderator, council_member):
        assert not user.has_perm(perm, report)
    assert staff_user.has_perm(perm, report)
