"""Issue 12, sharp edge 9: one word for a support, 賛同, everywhere residents and staff read Japanese: the
catalogue (site, admin, e-mails, open-data help, API docs all come from it), its glossaries and the demo."""

from __future__ import annotations

import json
from pathlib import Path

import polib
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

LOCALE = Path(settings.BASE_DIR) / "locale"


def test_no_other_word_for_support_in_the_catalogue_and_glossaries():
    catalogue = polib.pofile(str(LOCALE / "ja" / "LC_MESSAGES" / "django.po"))
    assert [e.msgid for e in catalogue if not e.obsolete and "応援" in e.msgstr] == []
    for glossary in LOCALE.glob("ja_*.json"):
        assert [k for k, v in json.loads(glossary.read_text(encoding="utf-8")).items() if "応援" in v] == [], glossary


def test_admin_and_open_data_words_are_the_site_words():
    with translation.override("ja"):
        assert gettext("Support") == "賛同"
        assert "賛同" in gettext("support threshold")
        assert "賛同" in gettext("supports per resident")


def test_demo_texts_use_the_same_word():
    assert "応援" not in (Path(settings.BASE_DIR) / "cms" / "demo.py").read_text(encoding="utf-8")
