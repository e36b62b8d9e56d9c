"""Settings for pytest. The database comes from HIRELENS_DATABASE_URL (SQLite or PostgreSQL)."""

from .base import *  # noqa: F401,F403
from .base import VAR_DIR

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
