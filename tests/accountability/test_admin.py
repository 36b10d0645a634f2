import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accountability.models import Result, ResultEvent

pytestmark = pytest.mark.django_db


def _form_data(statuses, departments, **extra):
    data = {
        "consultation": "", "external_id": "", "title": "管理画面から", "title_en": "", "description": "",
        "description_en": "", "category": "", "department": departments["roads"].pk, "status": statuses["budgeted"].pk,
        "progress_override": "", "start_date": "", "end_date": "", "budget_planned": "", "budget_spent": "",
        "parent": "", "weight": "1",
    }
    for prefix in ("places", "proposal_links", "report_links"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0", f"{prefix}-MIN_NUM_FORMS": "0",
                     f"{prefix}-MAX_NUM_FORMS": "1000"})
    data.update(extra)
    return data


def test_staff_creates_and_edits_result_as_snippet(client, staff_user, statuses, departments):
    client.force_login(staff_user)
    add_url = reverse("wagtailsnippets_accountability_result:add")
    assert client.get(add_url).status_code == 200
    response = client.post(add_url, _form_data(statuses, departments, **{
        "places-TOTAL_FORMS": "1", "places-0-label": "市道1号線", "places-0-latitude": "35.68",
        "places-0-longitude": "139.56", "places-0-ORDER": "1"}))
    assert response.status_code == 302, response.content.decode()[:2000]
    result = Result.objects.get()
    assert result.progress == 20 and result.places.count() == 1
    assert result.events.get().kind == "created"
    edit_url = reverse("wagtailsnippets_accountability_result:edit", args=[result.pk])
    response = client.post(edit_url, _form_data(statuses, departments, status=statuses["in_progress"].pk,
                                                progress_override="65"))
    assert response.status_code == 302
    result.refresh_from_db()
    assert result.progress == 65
    assert result.events.order_by("-pk").first().changes["progress"] == [20, 65]


@pytest.mark.parametrize("extra,message", [
    ({"progress_override": "120"}, "0"),
    ({"start_date": "2027-05-01", "end_date": "2027-04-01"}, "end"),
])
def test_admin_form_refuses_bad_input(client, staff_user, statuses, departments, extra, message):
    client.force_login(staff_user)
    response = client.post(reverse("wagtailsnippets_accountability_result:add"), _form_data(statuses, departments, **extra))
    assert response.status_code == 200  # the form again, with errors
    assert not Result.objects.exists() and not ResultEvent.objects.exists()


def test_admin_form_refuses_cycle(client, staff_user, statuses, departments, make_result):
    a = make_result("A")
    b = make_result("B", parent=a)
    client.force_login(staff_user)
    response = client.post(reverse("wagtailsnippets_accountability_result:edit", args=[a.pk]),
                           _form_data(statuses, departments, title="A", parent=b.pk))
    assert response.status_code == 200
    a.refresh_from_db()
    assert a.parent_id is None


def test_resident_has_no_admin(client, resident):
    client.force_login(resident)
    response = client.get(reverse("wagtailsnippets_accountability_result:list"))
    assert response.status_code in (302, 403)
    assert client.get(reverse("accountability_import")).status_code in (302, 403)


def test_import_view_dry_run_then_apply(client, staff_user, statuses):
    client.force_login(staff_user)
    url = reverse("accountability_import")
    assert client.get(url).status_code == 200
    content = "external_id,title,status\nI-1,取り込み,budgeted\n".encode()
    response = client.post(url, {"file": SimpleUploadedFile("r.csv", content)})
    assert response.status_code == 200 and "取り込み" in response.content.decode()
    assert not Result.objects.exists()
    response = client.post(url, {"file": SimpleUploadedFile("r.csv", content), "apply": "on"})
    assert response.status_code == 200
    assert Result.objects.get().external_id == "I-1"
    bad = "external_id,title,status\nI-2,二つ目,budgeted\nI-3,三つ目,nope\n".encode()
    response = client.post(url, {"file": SimpleUploadedFile("r.csv", bad), "apply": "on"})
    assert response.status_code == 400 and "nope" in response.content.decode()
    assert Result.objects.count() == 1


@pytest.mark.parametrize(("language", "status", "department"), [("ja", "予算化 20%", "道路管理課"), ("en", "Budgeted 20%", "Road Management Division")])
def test_import_page_names_statuses_and_departments_in_the_admin_s_language(
    client, staff_user, statuses, language, status, department
):
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(staff_user)
    profile.preferred_language = language
    profile.save()
    client.force_login(staff_user)
    html = client.get(reverse("accountability_import")).content.decode()
    assert f"<code>budgeted</code> ({status})" in html
    assert f"<code>roads</code> ({department})" in html
