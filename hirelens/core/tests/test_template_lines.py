"""No template line over 300 characters (issue 23 §7). A page's markup that runs on for a screen and more hides its
branches and its state rules; it is broken where HTML ignores the white space (between a tag's attributes, between
table cells, at block boundaries), never inside a translated block or a template tag (docs/architecture.md)."""

from pathlib import Path

from django.apps import apps
from django.conf import settings

LIMIT = 300


def template_files() -> list[Path]:
    dirs = [Path(d) for engine in settings.TEMPLATES for d in engine.get("DIRS", [])]
    dirs += [Path(c.path) / "templates" for c in apps.get_app_configs() if c.name.startswith("hirelens.")]
    return sorted(p for d in dirs if d.is_dir() for p in d.rglob("*") if p.suffix in {".html", ".txt", ".xml"})


def test_the_templates_are_found():
    files = template_files()
    assert any(p.match("imports/templates/imports/index.html") for p in files)
    assert any(p.match("templates/base.html") and "/hirelens/" not in str(p) for p in files)  # the project's own


def test_no_template_line_is_longer_than_300_characters():
    long = [f"{p.relative_to(settings.BASE_DIR)}:{number}: {len(line)} characters"
            for p in template_files()
            for number, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1) if len(line) > LIMIT]
    assert long == [], "template lines over 300 characters (break them where HTML ignores white space):\n" + "\n".join(long)
