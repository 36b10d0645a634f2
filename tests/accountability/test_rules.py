import pytest
from django.contrib.auth.models import AnonymousUser

pytestmark = pytest.mark.django_db

WRITE_PERMISSIONS = ["accountability.change_result", "accountability.import_results", "accountability.add_result",
                     "accountability.delete_result", "accountability.change_resultstatus",
                     "accountability.change_department"]


@pytest.mark.parametrize("role", ["anonymous", "resident", "moderator", "council", "staff"])
def test_permissions_per_role(role, make_result, resident, moderator, council_member, staff_user, accepted_proposal):
    user = {"anonymous": AnonymousUser(), "resident": resident, "moderator": moderator, "council": council_member,
            "staff": staff_user}[role]
    result = make_result()
    assert user.has_perm("accountability.view_result", result)
    assert user.has_perm("accountability.follow_result", result) == (role != "anonymous")
    for permission in WRITE_PERMISSIONS:
        assert user.has_perm(permission, result) == (role == "staff"), permission
    assert user.has_perm("accountability.link_proposal", accepted_proposal) == (role == "staff")


def test_blocked_staff_cannot_write(make_result, staff_user):
    from django.utils import timezone

    result = make_result()
    staff_user.blocked_at = timezone.now()
    staff_user.save()
    staff_user._role_names_cache = None
    assert not staff_user.has_perm("accountability.change_result", result)


def test_unpublished_consultation_hides_results(make_result, open_consultation, resident):
    result = make_result()
    city_wide = make_result(consultation=None)
    open_consultation.unpublish()
    result.consultation.refresh_from_db()
    assert not resident.has_perm("accountability.view_result", result)
    assert resident.has_perm("accountability.view_result", city_wide)


def test_account_data_export_and_anonymise(make_result, resident):
    from accountability import registration, services
    from accountability.models import ResultFollow

    result = make_result()
    services.result_follow(result=result, user=resident)
    data, files = registration.account_export(resident)
    assert data["result_follows"][0]["result_id"] == result.pk and files == []
    registration.account_anonymise(resident)
    assert not ResultFollow.objects.exists()
