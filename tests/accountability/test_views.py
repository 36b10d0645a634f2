import pytest
from django.urls import reverse

from accountability import services
from accountability.models import Result, ResultFollow
from tests.accountability.conftest import jpeg_upload

pytestmark = pytest.mark.django_db


def test_result_page_shows_timeline_department_not_staff(client, make_result, staff_user, statuses):
    result = make_result("<b>公園</b>の遊具", places=[("北町公園", 35.69, 139.56)])
    services.result_post_update(result=result, actor=staff_user, status=statuses["in_progress"], text="<script>x</script>着工")
    response = client.get(result.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "公園緑地課" in html and staff_user.display_name not in html and staff_user.username not in html
    assert "検討中 → 実施中" in html and "0% → 50%" in html
    assert "<script>x" not in html and "着工" in html
    assert 'id="result-map-config"' in html and "北町公園" in html
    assert 'value="50"' in html  # the progress bar


def test_consultation_page_filters_and_chart(client, make_result, open_consultation, departments):
    play = open_consultation.categories.get(slug="play")
    make_result("ブランコ交換", status="done", category=play)
    make_result("植樹計画", status="planning", category=open_consultation.categories.get(slug="green"),
                department=departments["roads"])
    url = reverse("accountability:consultation", args=[open_consultation.pk])
    html = client.get(url).content.decode()
    assert "ブランコ交換" in html and "植樹計画" in html and "<svg" in html and "<table" in html
    assert "50%" in html  # overall progress
    html = client.get(url, {"status": "done"}).content.decode()
    assert "ブランコ交換" in html and "植樹計画" not in html
    html = client.get(url, {"department": "roads"}).content.decode()
    assert "ブランコ交換" not in html and "植樹計画" in html
    html = client.get(url, {"category": "play"}).content.decode()
    assert "ブランコ交換" in html and "植樹計画" not in html
    response = client.get(url, {"status": "nope"})
    assert response.status_code == 200 and "nope" in response.content.decode()
    assert "ブランコ交換" in response.content.decode()  # unfiltered, with the error shown


def test_city_wide_page(client, make_result):
    make_result("市内全域の道路補修", consultation=None, places=[("市道1号線", 35.68, 139.56)])
    make_result("公園の施策")
    html = client.get(reverse("accountability:index")).content.decode()
    assert "市内全域の道路補修" in html and "公園の施策" in html and "result-map-config" in html


def test_results_of_unpublished_consultation_are_hidden(client, make_result, open_consultation):
    result = make_result()
    open_consultation.unpublish()
    assert client.get(result.get_absolute_url()).status_code == 404
    assert "公園の遊具更新" not in client.get(reverse("accountability:index")).content.decode()


def test_staff_update_form(client, make_result, staff_user, resident):
    result = make_result()
    url = reverse("accountability:update", args=[result.pk])
    client.force_login(resident)
    assert client.post(url, {"text": "x"}).status_code == 403
    client.force_login(staff_user)
    response = client.post(url, {"text": "", "progress": "150"})
    assert response.status_code == 400 and "150" in response.content.decode()
    assert result.events.count() == 1
    response = client.post(url, {"text": "写真付きの更新", "progress": "30", "photo": jpeg_upload()})
    assert response.status_code == 302
    result.refresh_from_db()
    assert result.progress == 30 and result.events.first().image


def test_follow(client, make_result, resident):
    result = make_result()
    client.force_login(resident)
    client.post(reverse("accountability:follow", args=[result.pk]), {"action": "follow"})
    assert ResultFollow.objects.filter(result=result, user=resident).exists()
    client.post(reverse("accountability:follow", args=[result.pk]), {"action": "unfollow"})
    assert not ResultFollow.objects.exists()


def test_proposal_page_what_happened(client, accepted_proposal, staff_user, statuses, resident):
    url = accepted_proposal.get_absolute_url()
    client.force_login(resident)
    assert "what-happened" not in client.get(url).content.decode()
    client.force_login(staff_user)
    html = client.get(url).content.decode()
    assert "what-happened" in html and reverse("accountability:from_proposal", args=[accepted_proposal.pk]) in html
    response = client.post(reverse("accountability:from_proposal", args=[accepted_proposal.pk]),
                           {"title": "", "status": statuses["budgeted"].pk})
    result = Result.objects.get()
    assert response.status_code == 302 and response["Location"] == result.get_absolute_url()
    services.result_post_update(result=result, actor=staff_user, text="予算が付きました。")
    client.force_login(resident)
    html = client.get(url).content.decode()
    assert result.title in html and "予算が付きました。" in html and 'value="20"' in html


def test_link_existing_result_from_proposal(client, accepted_proposal, make_result, staff_user):
    result = make_result("既存の施策")
    client.force_login(staff_user)
    client.post(reverse("accountability:proposal_link", args=[accepted_proposal.pk]), {"result": result.pk})
    assert result.proposal_links.filter(proposal=accepted_proposal).exists()


def test_report_page_and_open311_status_notes(client, make_result, staff_user, resident):
    from reports_map.models import Category
    from reports_map.services import report_create

    report = report_create(author=resident, category=Category.objects.get(service_code="road-pothole"),
                           latitude=35.6812, longitude=139.56, description="穴", photos=())
    result = make_result("市道舗装補修プログラム", consultation=None)
    client.force_login(staff_user)
    response = client.post(reverse("accountability:link_report", args=[result.pk]), {"report": report.pk, "note": ""})
    assert response.status_code == 302
    client.logout()
    html = client.get(reverse("reports_map:detail", args=[report.pk])).content.decode()
    assert "市道舗装補修プログラム" in html and result.get_absolute_url() in html
    data = client.get(f"/open311/v2/requests/{report.pk}.json").json()
    assert "市道舗装補修プログラム" in data[0]["status_notes"]
    assert f"#{report.pk}" in client.get(result.get_absolute_url()).content.decode()


def test_consultation_page_section(client, make_result, open_consultation):
    make_result(status="done")
    html = client.get(open_consultation.url).content.decode()
    assert reverse("accountability:consultation", args=[open_consultation.pk]) in html


def test_link_hidden_proposal_from_result_page_refused(client, make_result, staff_user, accepted_proposal):
    from django.utils import timezone

    from proposals.models import Proposal

    Proposal.objects.filter(pk=accepted_proposal.pk).update(hidden_at=timezone.now())
    result = make_result()
    client.force_login(staff_user)
    response = client.post(reverse("accountability:link_proposal", args=[result.pk]), {"proposal": accepted_proposal.pk},
                           follow=True)
    assert not result.proposal_links.exists()
    assert "hidden" in response.content.decode() or "非表示" in response.content.decode()
