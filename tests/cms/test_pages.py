import pytest
from django.urls import reverse
from wagtail.models import Locale, Page

from cms.models import ConsultationIndexPage, ConsultationPage, ContentPage, HomePage


def test_demo_tree_has_three_consultations_in_different_phases(demo_pages):
    kinds = [page.current_phase().kind for page in demo_pages]
    assert kinds == ["proposals", "support", "closed"]
    assert demo_pages[0].phase_allows("create")
    assert not demo_pages[1].phase_allows("create") and demo_pages[1].phase_allows("support")
    assert not demo_pages[2].phase_allows("comment")


def test_every_consultation_exists_in_english(demo_pages):
    en = Locale.objects.get(language_code="en")
    for page in demo_pages:
        translated = page.get_translation(en).specific
        assert translated.title != page.title
        assert translated.canonical.pk == page.pk
        assert translated.phase_allows("support") == page.phase_allows("support")


@pytest.mark.parametrize(("path", "text"), [("/", "市民参加"), ("/en/", "participation portal")])
def test_home_page_lists_consultations_in_each_language(client, demo_pages, path, text):
    response = client.get(path)
    assert response.status_code == 200
    body = response.content.decode()
    assert text in body
    assert ("Shaping the future" in body) == (path == "/en/")
    assert 'lang="en"' in body if path == "/en/" else 'lang="ja"' in body


def test_consultation_page_renders_phases(client, open_consultation):
    response = client.get(open_consultation.url)
    assert response.status_code == 200
    assert 'aria-current="step"' in response.content.decode()


def test_parent_and_subpage_types_are_declared():
    assert ConsultationPage.parent_page_types == ["cms.ConsultationIndexPage"]
    assert ConsultationIndexPage.parent_page_types == ["cms.HomePage"]
    assert HomePage.subpage_types and ContentPage.subpage_types
    assert [m._meta.label for m in ConsultationPage.allowed_subpage_models()] == ["surveys.SurveyPage"]  # issue 13


def test_consultation_api_lists_default_language_pages(client, demo_pages):
    data = client.get("/api/v1/consultations").json()
    assert [c["id"] for c in data] == sorted([p.pk for p in demo_pages], key=lambda pk: [c["id"] for c in data].index(pk))
    assert {c["id"] for c in data} == {p.pk for p in demo_pages}
    parks = next(c for c in data if c["id"] == demo_pages[0].pk)
    assert parks["allows"] == ["comment", "create", "support"]
    english = client.get("/api/v1/consultations", HTTP_ACCEPT_LANGUAGE="en").json()
    assert any("Shaping the future" in c["title"] for c in english)


def test_end_before_start_is_refused(open_consultation):
    from django.core.exceptions import ValidationError

    open_consultation.end_date = open_consultation.start_date.replace(year=open_consultation.start_date.year - 1)
    with pytest.raises(ValidationError):
        open_consultation.full_clean()


def test_staff_reach_the_wagtail_admin(client, staff_user, resident, demo_pages):
    client.force_login(staff_user)
    assert client.get(reverse("wagtailadmin_home")).status_code == 200
    client.force_login(resident)
    assert client.get(reverse("wagtailadmin_home")).status_code in (302, 403)
    assert Page.objects.count() > 5


def test_consultations_are_open_data(client, demo_pages):
    response = client.get("/open-data/consultations.json")
    assert response.status_code == 200
    body = response.content.decode()
    assert "parks-future" in body or "公園" in body
    assert "Shaping the future" in body


def test_staff_admin_links_to_moderation_and_dashboard(client, staff_user, demo_pages):
    client.force_login(staff_user)
    body = client.get("/admin/").content.decode()
    assert "/moderation/" in body and "/dashboard/" in body


def test_the_api_resolves_an_english_copy_id_like_every_surface(client, open_consultation):
    """One rule (participation.core.consultations): the English copy's id is the Japanese consultation."""
    english = open_consultation.get_translations().get(locale__language_code="en")
    for path in ("", "/proposals"):
        by_english = client.get(f"/api/v1/consultations/{english.pk}{path}")
        by_japanese = client.get(f"/api/v1/consultations/{open_consultation.pk}{path}")
        assert by_english.status_code == by_japanese.status_code == 200
    assert client.get(f"/api/v1/consultations/{english.pk}").json()["id"] == open_consultation.pk
