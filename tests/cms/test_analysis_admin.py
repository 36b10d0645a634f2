"""Wagtail admin review pages, the status endpoint, and the public summary section."""

import pytest
from django.urls import reverse

from ml.models import AnalysisRun, Summary, Theme

pytestmark = pytest.mark.django_db


@pytest.fixture
def analysed(open_consultation, fake_source, tfidf_backend, django_capture_on_commit_callbacks):
    from participation.analysis.runs import analysis_start

    with django_capture_on_commit_callbacks(execute=True):
        run = analysis_start(consultation_id=open_consultation.pk, themes=3)
    run.refresh_from_db()
    assert run.status == "succeeded", run.error
    return run


def test_staff_sees_the_index_and_the_review(client, staff_user, analysed, open_consultation):
    client.force_login(staff_user)
    index = client.get(reverse("ml_analysis:index"))
    assert index.status_code == 200
    assert open_consultation.title in index.content.decode()
    page = client.get(reverse("ml_analysis:detail", args=[open_consultation.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    theme = Theme.objects.filter(run=analysed, parent=None).first()
    assert theme.label in html
    assert "<svg" in html and "<circle" in html and "<title>" in html
    assert "/proposals/" in html  # quotes link to the items
    assert "<script>" not in html.split("</head>")[-1].replace("<script src=", "")


def test_residents_and_visitors_cannot_see_the_review(client, resident, analysed, open_consultation):
    url = reverse("ml_analysis:detail", args=[open_consultation.pk])
    assert client.get(url).status_code in (302, 403)
    client.force_login(resident)
    assert client.get(url).status_code in (302, 403)
    response = client.post(reverse("ml_analysis:run", args=[open_consultation.pk]))
    assert response.status_code in (302, 403)
    assert AnalysisRun.objects.count() == 1


def test_start_from_the_admin_and_refuse_a_concurrent_run(
    client, staff_user, open_consultation, fake_source, tfidf_backend, django_capture_on_commit_callbacks
):
    client.force_login(staff_user)
    url = reverse("ml_analysis:run", args=[open_consultation.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"themes": "", "subthemes": "on"})
    assert response.status_code == 302
    assert AnalysisRun.objects.get().status == "succeeded"
    AnalysisRun.objects.create(consultation_id=open_consultation.pk, status="running", progress=40, stage="cluster")
    response = client.post(url, {"themes": ""}, follow=True)
    assert "already running" in response.content.decode() or "すでに実行中" in response.content.decode()
    assert AnalysisRun.objects.count() == 2


def test_bad_theme_count_is_an_error_and_starts_nothing(client, staff_user, open_consultation):
    client.force_login(staff_user)
    response = client.post(reverse("ml_analysis:run", args=[open_consultation.pk]), {"themes": "1"}, follow=True)
    assert response.status_code == 200
    assert not AnalysisRun.objects.exists()


def test_progress_bar_and_status_json(client, staff_user, open_consultation):
    client.force_login(staff_user)
    run = AnalysisRun.objects.create(
        consultation_id=open_consultation.pk, status="running", progress=42, stage="cluster"
    )
    page = client.get(reverse("ml_analysis:detail", args=[open_consultation.pk])).content.decode()
    assert 'value="42"' in page and "data-status-url" in page and 'aria-live="polite"' in page
    data = client.get(reverse("ml_analysis:status", args=[run.pk])).json()
    assert data["progress"] == 42 and data["active"] is True and data["stage"] == "cluster"


def test_failed_run_shows_why_and_previous_results(client, staff_user, analysed, open_consultation):
    AnalysisRun.objects.create(consultation_id=open_consultation.pk, status="failed", error="boom: out of memory")
    client.force_login(staff_user)
    html = client.get(reverse("ml_analysis:detail", args=[open_consultation.pk])).content.decode()
    assert "boom: out of memory" in html
    assert Theme.objects.filter(run=analysed).first().label in html


def test_rename_merge_summary_publish_flow(client, staff_user, analysed, open_consultation):
    client.force_login(staff_user)
    first, second = list(Theme.objects.filter(run=analysed, parent=None))[:2]
    client.post(reverse("ml_analysis:rename", args=[first.pk]), {"label": "遊び場の充実"})
    first.refresh_from_db()
    assert first.label == "遊び場の充実"
    client.post(reverse("ml_analysis:merge", args=[open_consultation.pk]), {"target": first.pk, "other": second.pk})
    assert not Theme.objects.filter(pk=second.pk).exists()

    public_url = open_consultation.url
    assert "遊び場の充実" not in client.get(public_url).content.decode()  # nothing public before publishing
    client.post(
        reverse("ml_analysis:summary", args=[open_consultation.pk]),
        {"text": "公園と遊び場への意見が多く寄せられました。"},
    )
    assert "公園と遊び場への意見" not in client.get(public_url).content.decode()
    client.post(reverse("ml_analysis:publish", args=[open_consultation.pk]), {"action": "publish"})
    assert Summary.objects.get().is_published
    client.logout()
    html = client.get(public_url).content.decode()
    assert "公園と遊び場への意見が多く寄せられました。" in html
    assert "遊び場の充実" in html

    client.force_login(staff_user)
    client.post(reverse("ml_analysis:publish", args=[open_consultation.pk]), {"action": "unpublish"})
    client.logout()
    assert "公園と遊び場への意見" not in client.get(public_url).content.decode()


def test_rename_with_empty_label_changes_nothing(client, staff_user, analysed):
    client.force_login(staff_user)
    theme = Theme.objects.filter(run=analysed).first()
    client.post(reverse("ml_analysis:rename", args=[theme.pk]), {"label": ""})
    theme.refresh_from_db()
    assert theme.label == theme.generated_label


def test_merge_same_theme_is_an_error(client, staff_user, analysed, open_consultation):
    client.force_login(staff_user)
    theme = Theme.objects.filter(run=analysed, parent=None).first()
    response = client.post(
        reverse("ml_analysis:merge", args=[open_consultation.pk]), {"target": theme.pk, "other": theme.pk}, follow=True
    )
    assert "two different themes" in response.content.decode() or "異なるテーマ" in response.content.decode()
    assert Theme.objects.filter(pk=theme.pk).exists()


def test_publish_without_summary_is_an_error(client, staff_user, analysed, open_consultation):
    client.force_login(staff_user)
    client.post(reverse("ml_analysis:publish", args=[open_consultation.pk]), {"action": "publish"})
    assert not Summary.objects.exists()


def test_english_page_shows_the_published_summary_too(client, staff_user, analysed, open_consultation):
    from ml.services import summary_publish, summary_save

    summary_publish(
        summary=summary_save(consultation_id=open_consultation.pk, text="Summary text", run=analysed), publish=True
    )
    english = open_consultation.get_translations().get(locale__language_code="en")
    assert "Summary text" in client.get(english.url).content.decode()
