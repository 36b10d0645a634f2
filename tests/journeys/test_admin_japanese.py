"""Issue 12 (smaller edge): the Wagtail admin showed English ("Collapse all", "12 Pages created in", "Help")
on a Japanese admin. What the project adds to the admin (menu items, panels, field labels and help texts,
verbose names) is Japanese, and so is what staff meet of Wagtail itself where Wagtail's own ja catalogue
has a gap: the project's Wagtail catalogue (locale/wagtail/ja: django.po, djangojs.po) fills it, since a locale
file of the project takes precedence for the same msgid. What remains English in Wagtail is listed in
locale/wagtail/wagtail_ja_missing.txt."""

from __future__ import annotations

import json
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

pytestmark = pytest.mark.django_db

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
WAGTAIL = Path(__import__("wagtail").__file__).parent


def staff_client(staff_user) -> Client:
    staff_user.preferred_language = "ja"
    staff_user.save()
    client = Client(HTTP_ACCEPT_LANGUAGE="ja")
    client.force_login(staff_user)
    return client


def test_every_field_the_project_adds_to_the_admin_is_labelled_in_japanese():
    from wagtail.admin.panels import get_edit_handler
    from wagtail.models import get_page_models
    from wagtail.snippets.models import get_snippet_models

    models = [m for m in get_page_models() if m._meta.app_label in {"cms", "surveys"}] + list(get_snippet_models())
    english = []
    with translation.override("ja"):
        for model in models:
            for name in (model._meta.verbose_name, model._meta.verbose_name_plural):
                if not JAPANESE.search(str(name)) or str(name).endswith("s"):
                    english.append((model.__name__, "verbose name", str(name)))
            form_class = (model.get_edit_handler() if hasattr(model, "get_edit_handler") else get_edit_handler(model)).get_form_class()
            forms = [("", form_class)] + [(f"{key}.", fs.form) for key, fs in (form_class.formsets or {}).items()
                                         if key != "comments"]  # Wagtail's hidden comment fields
            for prefix, form in forms:
                for field_name, field in form.base_fields.items():
                    for kind, text in (("label", field.label), ("help text", field.help_text)):
                        if text and not JAPANESE.search(str(text)):
                            english.append((model.__name__, f"{prefix}{field_name} {kind}", str(text)))
    assert english == []


def test_admin_menu_and_dashboard_are_japanese(demo_pages, staff_user):
    client = staff_client(staff_user)
    html = client.get("/admin/").content.decode()
    sidebar = json.loads(html.split('id="wagtail-sidebar-props"')[1].split(">", 1)[1].split("</script>")[0])

    def labels(node):
        if isinstance(node, dict):
            if "label" in node and isinstance(node["label"], str):
                yield node["label"]
            for value in node.values():
                yield from labels(value)
        elif isinstance(node, list):
            for value in node:
                yield from labels(value)

    menu = [label for label in labels(sidebar) if label]
    assert "ヘルプ" in menu and "報告の種類" in menu and "監査ログ" in menu
    assert [label for label in menu if not JAPANESE.search(label) and label not in {"Wagtail"}] == []
    assert "Pages created in" not in html and "Help" not in menu
    assert "件のページ" in html  # the dashboard's "12 Pages created in ..." summary


def test_wagtail_admin_scripts_get_japanese_from_the_project_catalogue(staff_user):
    client = staff_client(staff_user)
    catalogue = client.get("/admin/jsi18n/").content.decode()
    for japanese in ("すべて折りたたむ", "すべて展開する", "自動保存しています", "メインメニュー"):
        assert json.dumps(japanese)[1:-1] in catalogue or japanese in catalogue, japanese


def _wagtail_gaps() -> set[str]:
    """Wagtail msgids (django domain) that are still English at run time in Japanese."""
    gaps = set()
    with translation.override("ja"):
        for path in WAGTAIL.glob("**/locale/en/LC_MESSAGES/django.po"):
            for entry in polib.pofile(str(path)):
                if entry.obsolete or not entry.msgid or entry.msgid_plural:
                    continue
                text = translation.pgettext(entry.msgctxt, entry.msgid) if entry.msgctxt else translation.gettext(entry.msgid)
                if text == entry.msgid and re.search(r"[A-Za-z]{3}", entry.msgid):
                    gaps.add(entry.msgid)
    return gaps


def _visible_text(html: str) -> str:
    """Text, readable attributes and <template> contents (what scripts show later), inline tags dropped."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    attributes = " ".join(re.findall(r'(?:aria-label|title|placeholder|data-w-tooltip-content-value)="([^"]*)"', html))
    html = re.sub(r"</?(span|b|em|strong|a)\b[^>]*>", "", html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html) + " " + attributes)


def test_no_wagtail_gap_is_left_on_the_screens_staff_use(demo_pages, staff_user):
    from cms.models import ConsultationIndexPage, HomePage
    from reports_map.models import Category

    client = staff_client(staff_user)
    home = HomePage.objects.filter(locale__language_code="ja").first()
    index = ConsultationIndexPage.objects.filter(locale__language_code="ja").first()
    consultation = demo_pages[0]
    urls = [
        "/admin/", "/admin/pages/", f"/admin/pages/{index.pk}/", f"/admin/pages/{consultation.pk}/edit/",
        f"/admin/pages/add/cms/contentpage/{home.pk}/", f"/admin/pages/{consultation.pk}/history/",
        f"/admin/pages/{consultation.pk}/delete/", f"/admin/pages/{consultation.pk}/unpublish/",
        "/admin/snippets/reports_map/category/", f"/admin/snippets/reports_map/category/edit/{Category.objects.first().pk}/",
        "/admin/reports/site-history/", "/admin/reports/aging-pages/", "/admin/account/", "/admin/pages/search/?q=バス",
    ]
    gaps = _wagtail_gaps()
    assert {"Collapse all", "Help", "Autosave is <span>paused</span>"} & gaps == set()
    # a msgid as people read it: tags dropped, spaces as on the page; those with placeholders are left out
    phrases = {re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", g)).strip() for g in gaps if "%" not in g and "{" not in g}
    found = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        text = _visible_text(response.content.decode())
        # Wagtail capitalises some lower-case msgids where it shows them (「admin theme」 as 「Admin theme」)
        hits = [
            p for p in phrases
            if any(re.search(r"(?<![A-Za-z])" + re.escape(form) + r"(?![A-Za-z])", text) for form in {p, p[:1].upper() + p[1:]})
        ]
        # what a screen reader announces: a landmark or button named in English (Wagtail hard-codes some)
        hits += [label for label in re.findall(r'aria-label="([^"]*)"', response.content.decode())
                 if re.fullmatch(r"[A-Za-z][A-Za-z ]+", label)]
        if hits:
            found[url] = hits
    allowed = {"URL", "workflow_tasks"}  # an abbreviation Japanese uses as is; a column key, not a label
    assert {url: [h for h in hits if h not in allowed] for url, hits in found.items() if set(hits) - allowed} == {}


def test_the_list_of_what_remains_english_in_wagtail_is_current():
    listed = Path(settings.BASE_DIR, "locale", "wagtail", "wagtail_ja_missing.txt").read_text(encoding="utf-8")
    assert "Collapse all" not in listed and "\nHelp\n" not in listed
    assert "Wagtail" in listed.splitlines()[0]


def test_the_wagtail_catalogue_is_complete_and_outside_what_make_messages_rewrites():
    """`make messages` (makemessages) writes only the first LOCALE_PATHS entry and marks there every msgid
    the project's sources lack as obsolete; Wagtail's msgids live in the second one, so they survive it."""
    paths = [Path(p) for p in settings.LOCALE_PATHS]
    wagtail_dir = Path(settings.BASE_DIR, "locale", "wagtail")
    assert paths[0] == Path(settings.BASE_DIR, "locale") and wagtail_dir in paths[1:]
    for domain in ("django", "djangojs"):
        catalogue = polib.pofile(str(wagtail_dir / "ja" / "LC_MESSAGES" / f"{domain}.po"))
        assert len(catalogue) > 30
        assert [e.msgid for e in catalogue.untranslated_entries()] == []
        assert [e.msgid for e in catalogue.fuzzy_entries()] == []
        project = {e.msgid for e in polib.pofile(str(Path(settings.BASE_DIR, "locale", "ja", "LC_MESSAGES", "django.po")))}
        assert {e.msgid for e in catalogue} & project == set()  # the project's own word would win anyway


def test_report_categories_say_whether_they_are_active_in_japanese(demo_pages, staff_user):
    """The categories' listing showed the field's Python value, 「有効 True」, to Japanese staff."""
    from reports_map.models import Category

    Category.objects.filter(pk=Category.objects.last().pk).update(active=False)
    html = staff_client(staff_user).get("/admin/snippets/reports_map/category/").content.decode()
    cells = [re.sub(r"<[^>]+>|\s", "", cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", html, flags=re.S)]
    assert cells.count("はい") == Category.objects.filter(active=True).count() > 0
    assert cells.count("いいえ") == 1
    assert not re.search(r"(?<![A-Za-z])(True|False)(?![A-Za-z])", _visible_text(html))


def test_the_sign_in_page_is_japanese():
    """Every member of staff opens it: Wagtail's form left its password field unlabelled (Django showed the
    field's name, 「Password」) and Wagtail's ja catalogue lacks 「Remember me」."""
    response = Client(HTTP_ACCEPT_LANGUAGE="ja").get("/admin/login/")
    text = _visible_text(response.content.decode())
    assert "パスワード" in text and "ログインしたままにする" in text
    assert not re.search(r"(?<![A-Za-z])(Password|Remember me)(?![A-Za-z])", text)


def test_staff_still_sign_in_through_the_labelled_form(staff_user):
    staff_user.set_password("a-long-pass-phrase-1")
    staff_user.save()
    client = Client(HTTP_ACCEPT_LANGUAGE="ja")
    page = client.get("/admin/login/").content.decode()
    assert 'name="password"' in page and 'name="remember"' in page
    response = client.post("/admin/login/", {"username": staff_user.get_username(), "password": "a-long-pass-phrase-1"})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
    wrong = Client(HTTP_ACCEPT_LANGUAGE="ja").post("/admin/login/", {"username": staff_user.get_username(), "password": "x"})
    assert wrong.status_code == 200 and "パスワード" in _visible_text(wrong.content.decode())


def test_the_help_menu_follows_each_request_s_language(db):
    """Wagtail labels its help menu once per process: whoever came first set the language for everybody."""
    from wagtail.users.models import UserProfile

    from participation.core.predicates import RESIDENT, STAFF
    from tests.conftest import make_user

    japanese = make_user("clerk-ja", RESIDENT, STAFF, is_staff=True)
    english = make_user("clerk-en", RESIDENT, STAFF, is_staff=True)
    profile = UserProfile.get_for_user(english)
    profile.preferred_language = "en"
    profile.save()
    pages = []
    for user in (japanese, english, japanese):
        client = Client()
        client.force_login(user)
        pages.append(client.get("/admin/").content.decode())
    whats_new_ja = json.dumps("の新機能")[1:-1]  # the sidebar's menu is JSON in the page
    assert whats_new_ja in pages[0] and whats_new_ja in pages[2]
    assert "new in Wagtail" in pages[1] and whats_new_ja not in pages[1]
    assert "new in Wagtail" not in pages[2]
