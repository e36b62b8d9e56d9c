"""HIRELENS_VAR_DIR holds one instance's data, media included: two instances never share `<checkout>/var/media`."""

import os
import subprocess
import sys

from conftest import ROOT

STORE = """
import django
django.setup()
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
name = default_storage.save("probe/recording.webm", ContentFile(b"the recording"))
print(settings.MEDIA_ROOT)
print(name)
"""


def _store_a_file(**env) -> tuple[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HIRELENS_")}
    clean.update(env, DJANGO_SETTINGS_MODULE="config.settings.local")
    result = subprocess.run([sys.executable, "-c", STORE], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    media_root, name = result.stdout.split()
    return media_root, name


def test_media_live_under_the_var_dir(tmp_path):
    media_root, name = _store_a_file(HIRELENS_VAR_DIR=str(tmp_path / "instance"))
    assert media_root == str(tmp_path / "instance" / "media")
    stored = tmp_path / "instance" / "media" / name
    assert stored.is_file() and b"the recording" not in stored.read_bytes()  # encrypted at rest, in this var dir


def test_media_root_overrides_the_var_dir(tmp_path):
    media_root, name = _store_a_file(HIRELENS_VAR_DIR=str(tmp_path / "instance"), HIRELENS_MEDIA_ROOT=str(tmp_path / "files"))
    assert media_root == str(tmp_path / "files")
    assert (tmp_path / "files" / name).is_file() and not (tmp_path / "instance" / "media").exists()
