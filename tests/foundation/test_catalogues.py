"""The Japanese catalogue is complete, and no project message shadows Wagtail's or Django's own."""

from __future__ import annotations

from pathlib import Path

import polib
from django.conf import settings

PO = Path(settings.BASE_DIR) / "locale" / "ja" / "LC_MESSAGES" / "django.po"


def test_every_japanese_message_is_translated_and_none_is_fuzzy():
    catalogue = polib.pofile(str(PO))
    untranslated = [e.msgid for e in catalogue.untranslated_entries() if not e.obsolete]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries() if e.msgid]
    assert untranslated == []
    assert fuzzy == []


def test_wagtail_menu_words_keep_wagtail_translations():
    """A project msgid equal to one of Wagtail's replaces Wagtail's text everywhere in the admin
    ("Reports" once turned Wagtail's Reports menu into 報告数, "number of reports")."""
    from django.utils import translation

    with translation.override("ja"):
        assert translation.gettext("Reports") == "レポート"
        assert translation.gettext("New") == "新規作成"  # ours is the unread badge, with its own context
        assert translation.pgettext("unread notification", "New") == "新着"
