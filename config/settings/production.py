"""Production settings: refuse to start with development secrets, with a message naming the variable."""

from config import env
from config.env import ConfigError

from .base import *  # noqa: F401,F403
from .base import BLIND_INDEX_KEY, ENCRYPTION_KEYS, SECRET_KEY

DEBUG = env.get_bool("DEBUG", False)
if DEBUG:
    raise ConfigError("DEBUG", "must be false in production")

if SECRET_KEY == env.DEV_SECRET_KEY or len(SECRET_KEY or "") < 50:
    raise ConfigError("SECRET_KEY", "set a random secret of at least 50 characters (the development default is refused)")
if env.get_str("ENCRYPTION_KEYS") is None:
    raise ConfigError("ENCRYPTION_KEYS", "no encryption key: personal data and recordings cannot be stored encrypted")
if any(key == dev for _, key in ENCRYPTION_KEYS for _, dev in env.get_keyring("_UNUSED", env.DEV_ENCRYPTION_KEYS)):
    raise ConfigError("ENCRYPTION_KEYS", "the development key is public and refused in production")
if env.get_str("BLIND_INDEX_KEY") is None or BLIND_INDEX_KEY == env.get_key("_UNUSED", env.DEV_BLIND_INDEX_KEY):
    raise ConfigError("BLIND_INDEX_KEY", "set a random 32-byte base64 key (the development default is refused)")

WEBHOOKS_ALLOW_PRIVATE = env.get_bool("WEBHOOKS_ALLOW_PRIVATE", False)  # no deliveries to internal addresses (SSRF)
SESSION_COOKIE_SECURE = env.get_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False
# `manage.py collectstatic` fills it; HIRELENS_STATIC_ROOT puts it elsewhere (a container image, a read-only checkout)
STATIC_ROOT = env.get_str("STATIC_ROOT", str(BASE_DIR / "staticfiles"))  # noqa: F405

# HTTPS only: browsers remember HSTS for a year (an operator may shorten it while trying HTTPS out, or add
# subdomains and preload once every subdomain serves HTTPS). Plain HTTP is redirected, except the health check
# that load balancers and supervisors call on the private port.
SECURE_HSTS_SECONDS = env.get_int("HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.get_bool("HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env.get_bool("HSTS_PRELOAD", False)
SECURE_SSL_REDIRECT = env.get_bool("SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
