"""Settings for pytest. The database comes from HIRELENS_DATABASE_URL (SQLite or PostgreSQL)."""

import os
from pathlib import Path

# Under pytest-xdist (`make test` runs the plain tests in two processes) each process gets its own var dir: its SQLite
# test database, media, Huey files and logs, as two instances would. pytest-django suffixes database names itself
# (test_hirelens_gw0), so PostgreSQL needs nothing here. A server a test starts inherits the suffixed variable.
# (once: a process the test starts with a var dir of its own keeps it).
_worker = os.environ.get("PYTEST_XDIST_WORKER")
if _worker and not os.environ.get("HL_TEST_VAR_SPLIT"):
    os.environ["HL_TEST_VAR_SPLIT"] = "1"
    _var = Path(os.environ.get("HIRELENS_VAR_DIR") or Path(__file__).resolve().parents[2] / "var")
    os.environ["HIRELENS_VAR_DIR"] = str(_var / _worker)
    # the demo's cache is shared: the processes, the suites after them (the browser tests in the un-split var dir,
    # PostgreSQL, Redis) read what the first demo load made instead of synthesising and analysing it again
    os.environ.setdefault("HIRELENS_DEMO_CACHE_DIR", str(_var / "cache" / "demo"))

from .base import *  # noqa: E402,F401,F403
from .base import VAR_DIR  # noqa: E402

DEBUG = False
PASSWORD_HASHERS = [
    # Argon2 stays first so tests prove real hashes; its cost is lowered only in tests.
    "hirelens.core.testing.FastArgon2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = VAR_DIR / "test-media"
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]
HUEY = {**HUEY, "immediate": True, "name": "hirelens-test"}  # noqa: F405  (worker tests switch immediate off)
if HUEY["huey_class"] == "huey.SqliteHuey":
    HUEY["filename"] = str(VAR_DIR / "test-huey.sqlite3")
HUEY_ANALYSIS = {**HUEY_ANALYSIS, "immediate": True, "name": "hirelens-test-analysis"}  # noqa: F405
if HUEY_ANALYSIS["huey_class"] == "huey.SqliteHuey":
    HUEY_ANALYSIS["filename"] = str(VAR_DIR / "test-huey-analysis.sqlite3")
JOB_RETRY_BASE_DELAY = 0.5
DATABASES["default"].get("OPTIONS", {}).pop("pool", None)  # noqa: F405  (tests open and drop databases; no pool)
# The test SMTP server (aiosmtpd, conftest.SMTPSink) logs every connection's peer, commands, EOF and loss at INFO on
# "mail.log" from its own thread: 138 lines for the 12 tests of messaging/tests/test_delivery.py, and in full runs
# "--- Logging error ---" tracebacks of those records ('%r connection lost', '%r EOF received') that buried real
# failures. A record under the logger's level is never handed to a handler; its warnings and errors still show.
LOGGING = {**LOGGING, "loggers": {**LOGGING["loggers"], "mail.log": {"level": "WARNING"}}}  # noqa: F405
