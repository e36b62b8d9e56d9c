"""Compile locale/*/LC_MESSAGES/*.po into .mo with polib: no GNU gettext needed on the machine."""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Compile the project's .po translation files to .mo (pure Python)."

    def handle(self, *args, **options):
        compiled = 0
        from django.apps import apps

        locale_dirs = list(settings.LOCALE_PATHS) + [Path(c.path) / "locale" for c in apps.get_app_configs() if c.name.startswith("hirelens.")]
        for locale_dir in locale_dirs:
            for po_path in Path(locale_dir).glob("*/LC_MESSAGES/*.po"):
                po = polib.pofile(str(po_path))
                problems = [e.msgid for e in po if e.msgstr and e.msgid.count("%(") != e.msgstr.count("%(")]
                if problems:
                    raise CommandError(f"{po_path}: placeholders differ in {problems[:3]}")
                po.save_as_mofile(str(po_path.with_suffix(".mo")))
                compiled += 1
                self.stdout.write(f"{po_path}: {len(po.translated_entries())} translated")
        self.stdout.write(self.style.SUCCESS(f"Compiled {compiled} catalogue(s)."))
