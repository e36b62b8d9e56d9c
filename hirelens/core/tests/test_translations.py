"""Every page must read fully in English too: each catalogue is complete and its placeholders match."""

import re
from pathlib import Path

import polib
import pytest
from django.apps import apps
from django.conf import settings

PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\{.*?\}\}")


def catalogues():
    dirs = list(settings.LOCALE_PATHS) + [Path(c.path) / "locale" for c in apps.get_app_configs() if c.name.startswith("hirelens.")]
    return sorted(str(p) for d in dirs for p in Path(d).glob("*/LC_MESSAGES/django.po"))


def test_there_is_an_english_catalogue():
    assert any("/en/" in path for path in catalogues())


@pytest.mark.parametrize("path", catalogues())
def test_catalogue_is_complete(path):
    po = polib.pofile(path)
    missing = [e.msgid for e in po if not e.obsolete and (not e.msgstr and not e.msgstr_plural or "fuzzy" in e.flags)]
    assert not missing, f"{path}: untranslated {missing[:5]}"
    for entry in po.translated_entries():
        # a plural entry's forms are each a full translation (the singular msgid's placeholders in every form)
        forms = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for form in forms:
            assert sorted(PLACEHOLDER.findall(entry.msgid)) == sorted(PLACEHOLDER.findall(form)), entry.msgid
