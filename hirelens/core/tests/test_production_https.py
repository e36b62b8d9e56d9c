"""Production settings send HSTS and redirect plain HTTP to HTTPS (the health check excepted); both configurable.
Each check loads config.settings.production in its own process, as a deployment would."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from .test_config import GOOD_KEYS, ROOT

SECRET = "k7Qz-3vR9wLp2Xn8Ys4Tb6Jm1Hc5Gd0Fa7Ke2Uo9Wi3Ep6Rt8Yq1Zx4Cv7Bn0Ml"  # 64 characters, many distinct: passes W009
PROBE = """
import json
from django.conf import settings
from django.test import Client  # no template is rendered: production serves collected static files only
client = Client()
api, health = client.get("/api/v1/candidates/"), client.get("/healthz")
print(json.dumps({
    "hsts": [settings.SECURE_HSTS_SECONDS, settings.SECURE_HSTS_INCLUDE_SUBDOMAINS, settings.SECURE_HSTS_PRELOAD],
    "api": [api.status_code, api.get("Location")],
    "health": health.status_code,
    "https": client.get("/healthz", secure=True).get("Strict-Transport-Security"),
}))
"""


def _run(*args, **env):
    # a production process starts from the operator's environment, not from the test runner's switches
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HIRELENS_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean.update(GOOD_KEYS, HIRELENS_SECRET_KEY=SECRET, HIRELENS_ALLOWED_HOSTS="testserver",
                 HIRELENS_VAR_DIR=str(Path(os.environ.get("HIRELENS_VAR_DIR", ROOT / "var")) / "test-config"), DJANGO_SETTINGS_MODULE="config.settings.production")
    clean.update(env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120)


def _probe(**env):
    result = _run("shell", "-c", PROBE, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_https_by_default():
    probe = _probe()
    assert probe["hsts"] == [31536000, False, False]
    assert probe["api"] == [301, "https://testserver/api/v1/candidates/"]
    assert probe["health"] != 301  # load balancers and supervisors call it over plain HTTP on the private port
    assert probe["https"] == "max-age=31536000"


def test_operator_settings():
    probe = _probe(HIRELENS_HSTS_SECONDS="600", HIRELENS_HSTS_INCLUDE_SUBDOMAINS="true", HIRELENS_HSTS_PRELOAD="yes",
                   HIRELENS_SSL_REDIRECT="false")
    assert probe["hsts"] == [600, True, True]
    assert probe["api"] == [401, None]
    assert probe["https"] == "max-age=600; includeSubDomains; preload"


def test_deploy_check_leaves_only_the_documented_choices():
    """Subdomains and preload are off by default (they bind every subdomain of the operator's domain to HTTPS for a
    year); everything else `check --deploy` asks for is set."""
    default = _run("check", "--deploy")
    assert default.returncode == 0, default.stderr
    assert sorted(set(re.findall(r"security\.W\d+", default.stderr + default.stdout))) == ["security.W005", "security.W021"]
    strict = _run("check", "--deploy", HIRELENS_HSTS_INCLUDE_SUBDOMAINS="true", HIRELENS_HSTS_PRELOAD="true")
    assert strict.returncode == 0, strict.stderr
    assert "System check identified no issues" in strict.stdout


def test_a_bad_value_names_the_variable():
    result = _run("check", HIRELENS_HSTS_SECONDS="one year")
    assert result.returncode == 2
    assert "HIRELENS_HSTS_SECONDS: expected an integer" in result.stderr
