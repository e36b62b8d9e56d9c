"""Broken or unsafe configuration stops the process with a message that names the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
GOOD_KEYS = {
    "HIRELENS_SECRET_KEY": "x" * 64,
    "HIRELENS_ENCRYPTION_KEYS": "p1:" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=",
    "HIRELENS_BLIND_INDEX_KEY": "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI=",
}


def run_check(settings_module, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HIRELENS_")}
    clean.update(env, DJANGO_SETTINGS_MODULE=settings_module, HIRELENS_VAR_DIR=str(Path(os.environ.get("HIRELENS_VAR_DIR", ROOT / "var")) / "test-config"))
    return subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({}, "HIRELENS_SECRET_KEY"),
        ({"HIRELENS_SECRET_KEY": "x" * 64}, "HIRELENS_ENCRYPTION_KEYS"),
        ({**GOOD_KEYS, "HIRELENS_ENCRYPTION_KEYS": "dev1:ZGV2LW9ubHktZW5jcnlwdGlvbi1rZXktMzItYnl0ZXM="}, "HIRELENS_ENCRYPTION_KEYS"),
        ({**GOOD_KEYS, "HIRELENS_BLIND_INDEX_KEY": ""}, "HIRELENS_BLIND_INDEX_KEY"),
    ],
)
def test_production_refuses_default_secrets(env, variable):
    result = run_check("config.settings.production", **env)
    assert result.returncode == 2
    assert variable in result.stderr


def test_production_starts_with_real_secrets():
    result = run_check("config.settings.production", **GOOD_KEYS)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"HIRELENS_DATABASE_URL": "mysqlx://nope"}, "HIRELENS_DATABASE_URL: unsupported URL scheme"),
        ({"HIRELENS_REDIS_URL": "http://localhost"}, "HIRELENS_REDIS_URL"),
        ({"HIRELENS_ENCRYPTION_KEYS": "k1:short"}, "HIRELENS_ENCRYPTION_KEYS"),
        ({"HIRELENS_DEBUG": "maybe"}, "HIRELENS_DEBUG: expected true/false"),
        ({"HIRELENS_STORAGE": "s3"}, "HIRELENS_S3_BUCKET"),
        ({"HIRELENS_EMAIL_PORT": "twenty-five"}, "HIRELENS_EMAIL_PORT"),
        ({"HIRELENS_HUEY_WORKER_TYPE": "greenlet"}, "HIRELENS_HUEY_WORKER_TYPE: expected one of process, thread"),
    ],
)
def test_broken_configuration_names_the_variable(env, message):
    result = run_check("config.settings.local", **env)
    assert result.returncode == 2
    assert message in result.stderr
