"""One English per Chinese text: Django merges every catalogue of a language into one (LOCALE_PATHS first,
then the apps in INSTALLED_APPS order, the first one wins), so two catalogues that translate the same
(msgctxt, msgid) differently show one app's English in the other's pages too (a webhooks "Delete" button read
"Deleted"). Where the meanings differ, the usage takes a context (pgettext / {% translate ... context ... %})."""

from collections import defaultdict
from pathlib import Path

import polib
from django.apps import apps
from django.conf import settings


def english_catalogues() -> list[str]:
    dirs = list(settings.LOCALE_PATHS) + [Path(c.path) / "locale" for c in apps.get_app_configs() if c.name.startswith("hirelens.")]
    return sorted(str(p) for d in dirs for p in Path(d).glob("en/LC_MESSAGES/django.po"))


def _where(path: str) -> str:
    locale_dir = Path(path).parents[2]
    return "LOCALE_PATHS" if locale_dir in {Path(d) for d in settings.LOCALE_PATHS} else locale_dir.parent.name


def test_the_english_catalogues_are_found():
    paths = english_catalogues()
    assert any("/hirelens/webhooks/" in p for p in paths)
    assert any("/hirelens/" not in p for p in paths)  # the root catalogue (LOCALE_PATHS)


def test_no_two_catalogues_translate_the_same_text_differently():
    seen: dict[tuple[str | None, str], dict[str, str]] = defaultdict(dict)
    for path in english_catalogues():
        for entry in polib.pofile(path):
            if entry.obsolete or "fuzzy" in entry.flags:
                continue
            text = entry.msgstr or (entry.msgstr_plural.get(0, "") if entry.msgstr_plural else "")
            if text:
                seen[(entry.msgctxt, entry.msgid)][path] = text
    conflicts = [(key, by_path) for key, by_path in seen.items() if len(set(by_path.values())) > 1]
    report = "\n".join(
        f"msgctxt={ctx!r} msgid={msgid!r}: " + "; ".join(f"{_where(p)}={t!r}" for p, t in sorted(by_path.items()))
        for (ctx, msgid), by_path in conflicts
    )
    assert not report, f"{len(conflicts)} texts translated differently across catalogues:\n{report}"
