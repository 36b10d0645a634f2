"""Fill empty Japanese msgstr entries from the glossaries in locale/ja_*.json (developer tool).

Run after `makemessages`; entries already translated in the .po file are kept.
"""

import json
from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Fill untranslated entries of locale/ja/LC_MESSAGES/django.po from locale/ja_*.json."

    def add_arguments(self, parser):
        parser.add_argument("--language", default="ja")

    def handle(self, *args, language="ja", **options):
        base = Path(settings.BASE_DIR) / "locale"
        glossary: dict[str, str] = {}
        for path in sorted(base.glob(f"{language}_*.json")):
            glossary.update(json.loads(path.read_text(encoding="utf-8")))
        po_path = base / language / "LC_MESSAGES" / "django.po"
        catalogue = polib.pofile(str(po_path))
        filled = missing = 0
        for entry in catalogue:
            if entry.obsolete:
                continue
            translation = glossary.get(entry.msgid)
            if translation and "fuzzy" in entry.flags:
                # msgmerge's fuzzy guess is another message's text ("Page %(n)s" -> "写真%(n)s"): the glossary wins.
                entry.flags.remove("fuzzy")
                entry.msgstr = ""
                entry.msgstr_plural = dict.fromkeys(entry.msgstr_plural, "")
            if entry.msgid_plural:
                if not any(entry.msgstr_plural.values()) and translation:
                    entry.msgstr_plural = {0: translation}
                    filled += 1
                elif not any(entry.msgstr_plural.values()):
                    missing += 1
            elif not entry.msgstr:
                if translation:
                    entry.msgstr = translation
                    filled += 1
                else:
                    missing += 1
        catalogue.metadata["Language"] = language
        catalogue.metadata["Plural-Forms"] = "nplurals=1; plural=0;" if language == "ja" else catalogue.metadata.get("Plural-Forms", "")
        catalogue.save(str(po_path))
        self.stdout.write(f"{language}: filled {filled}, still untranslated {missing}")
