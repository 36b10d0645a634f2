"""Compile locale/*/LC_MESSAGES/*.po into .mo with polib (no GNU gettext needed on the machine).

Both the project catalogue (``LOCALE_PATHS``) and each project app's own ``<app>/locale/`` are compiled,
so a feature app can carry its catalogue beside its code.
"""

from pathlib import Path

import polib
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile the project's .po files into .mo files (pure Python)."

    def handle(self, *args, **options):
        count = 0
        base = Path(settings.BASE_DIR).resolve()
        app_dirs = [
            Path(config.path) / "locale"
            for config in apps.get_app_configs()
            if Path(config.path).resolve().parent == base and (Path(config.path) / "locale").is_dir()
        ]
        for locale_dir in [*settings.LOCALE_PATHS, *app_dirs]:
            for po_path in Path(locale_dir).glob("*/LC_MESSAGES/*.po"):
                mo_path = po_path.with_suffix(".mo")
                if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                    continue
                polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
                count += 1
        self.stdout.write(f"compiled {count} message catalogues")
