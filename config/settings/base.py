"""Settings shared by every environment. Values a self-hoster may change come from config/env.py."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from config import env
from config.env import BASE_DIR, ConfigError

DEBUG = env.get_bool("DEBUG", False)
SECRET_KEY = env.get_str("SECRET_KEY", env.DEV_SECRET_KEY)
ALLOWED_HOSTS = env.get_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.get_list("CSRF_TRUSTED_ORIGINS", [])
# Links in e-mails, .ics files, portal and booking pages (hirelens/core/links.py): HIRELENS_SITE_URL when set, else
# the host and port of the request being served, else (worker, load_demo) HIRELENS_HOST:HIRELENS_PORT.
SITE_URL = (env.get_url("SITE_URL", None, {"http", "https"}) or "").rstrip("/")
SITE_URL_FALLBACK = env.served_url(env.get_str("HOST", "127.0.0.1") or "", env.get_int("PORT", 8000))
VAR_DIR = Path(env.get_str("VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)  # SQLite database, Huey queue and media live here by default
# What the demo synthesises and what the analysis makes of its own recordings (hirelens.core.demo, "the demo's cache"):
# deterministic and keyed by the code, so instances or test processes may share one folder
DEMO_CACHE_DIR = Path(env.get_str("DEMO_CACHE_DIR", str(VAR_DIR / "cache" / "demo")))

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "django_htmx",
    "ninja",  # serves the API docs (Swagger UI) from its own static files, not a CDN: the CSP allows only 'self'
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "huey.contrib.djhuey",
    "hirelens.core",
    "hirelens.accounts",
    "hirelens.positions",
    "hirelens.candidates",
    "hirelens.portal",
    "hirelens.imports",
    "hirelens.workflows",
    "hirelens.scheduling",
    "hirelens.messaging",
    "hirelens.interviews",
    "hirelens.live",
    "hirelens.evaluations",
    "hirelens.feedback",
    "hirelens.analytics",
    "hirelens.privacy",
    "hirelens.fairness",
    "hirelens.integrations",
    "hirelens.webhooks",
]

MIDDLEWARE = [
    "hirelens.core.middleware.RequestMetricsMiddleware",
    "hirelens.core.middleware.DatabaseBusyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "hirelens.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "hirelens.core.bodies.MalformedBodyMiddleware",  # before anything reads request.POST (the CSRF check does)
    "django.middleware.common.CommonMiddleware",
    "hirelens.core.links.LinkRequestMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "hirelens.integrations.middleware.ApiCallAuditMiddleware",  # every call with an API key is audited
    "django_otp.middleware.OTPMiddleware",
    "hirelens.accounts.middleware.RequireSecondFactorMiddleware",
    "hirelens.accounts.middleware.UserTimeZoneMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hirelens.core.context_processors.shell",
            ],
        },
    }
]

# --- Database: SQLite (WAL) by default, PostgreSQL through HIRELENS_DATABASE_URL -----------------
DATABASE_URL = env.get_url(
    "DATABASE_URL", f"sqlite:///{VAR_DIR / 'hirelens.sqlite3'}", {"sqlite", "postgres", "postgresql", "pgsql"}
)
try:
    _db = dj_database_url.parse(DATABASE_URL, conn_max_age=0)
except Exception as exc:  # dj_database_url raises several types for bad URLs
    raise ConfigError("DATABASE_URL", str(exc)) from None
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["OPTIONS"] = {
        # WAL lets the web server read while the Huey worker writes; IMMEDIATE avoids
        # "database is locked" upgrades from read to write transactions.
        # secure_delete: deleted and overwritten content is zeroed, so an erased candidate leaves no bytes in free
        # pages (docs/privacy.md, "Deletion and retention").
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000; PRAGMA secure_delete=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    _db["TEST"] = {"NAME": str(VAR_DIR / "test-hirelens.sqlite3")}
else:
    # Under ASGI every concurrent request runs in its own thread with its own connection: without a pool,
    # a burst of candidates exhausts PostgreSQL's max_connections. The pool makes requests wait instead.
    DATABASE_POOL_SIZE = env.get_int("DATABASE_POOL_SIZE", 20)
    if DATABASE_POOL_SIZE > 0:
        _db.setdefault("OPTIONS", {})["pool"] = {"min_size": 1, "max_size": DATABASE_POOL_SIZE, "timeout": 60}
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: when set, Huey, Channels and the cache use it ---------------------------------------
REDIS_URL = env.get_url("REDIS_URL", None, {"redis", "rediss", "unix"})

if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [REDIS_URL]}}
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

JOB_RETRY_BASE_DELAY = env.get_float("JOB_RETRY_BASE_DELAY", 5.0)
# Durable jobs: a worker renews its lease on the row it works on; the sweep (every JOB_SWEEP_S seconds) re-queues
# work whose lease expired; after JOB_MAX_ATTEMPTS interrupted or failed tries the work fails with a reason HR sees.
JOB_LEASE_S = env.get_float("JOB_LEASE_S", 60.0)
JOB_SWEEP_S = env.get_int("JOB_SWEEP_S", 60)
JOB_MAX_ATTEMPTS = env.get_int("JOB_MAX_ATTEMPTS", 5)
# Webhooks (hirelens.webhooks): whether deliveries may go to loopback / private addresses (SSRF guard; production
# defaults to no), and the timeout of one HTTP try.
WEBHOOKS_ALLOW_PRIVATE = env.get_bool("WEBHOOKS_ALLOW_PRIVATE", True)
WEBHOOKS_TIMEOUT_S = env.get_float("WEBHOOKS_TIMEOUT_S", 10.0)
HUEY_NAME = env.get_str("HUEY_NAME", "hirelens")
HUEY_IMMEDIATE = env.get_bool("HUEY_IMMEDIATE", False)
# Two queues, each served by its own worker processes (`manage.py run_worker --queue light|analysis`):
# - light (settings.HUEY, the djhuey queue; `run_huey` serves it too): messages, reminders, feedback, webhooks,
#   privacy jobs and every periodic task. Thread workers share one process (enough for I/O-bound jobs).
# - analysis (settings.HUEY_ANALYSIS): media analysis only. Only these processes load the speech and face models,
#   and they free them after HIRELENS_ANALYSIS_IDLE_UNLOAD_S seconds without an analysis (0: never). A web process
#   that hosted live rooms frees the live models after the same idle time (hirelens/live/media.py: live_models).
_consumer = {"workers": env.get_int("HUEY_WORKERS", 2), "worker_type": env.get_choice("HUEY_WORKER_TYPE", "thread", {"thread", "process"})}
_analysis_consumer = {"workers": env.get_int("HUEY_ANALYSIS_WORKERS", 1),
                      "worker_type": env.get_choice("HUEY_ANALYSIS_WORKER_TYPE", "thread", {"thread", "process"})}
ANALYSIS_IDLE_UNLOAD_S = env.get_float("ANALYSIS_IDLE_UNLOAD_S", 300.0)
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.PriorityRedisHuey",
        "name": HUEY_NAME,
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
        "consumer": _consumer,
    }
    HUEY_ANALYSIS = {**HUEY, "name": f"{HUEY_NAME}-analysis", "consumer": _analysis_consumer}
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": HUEY_NAME,
        "filename": env.get_str("HUEY_SQLITE_PATH", str(VAR_DIR / "huey.sqlite3")),
        "immediate": HUEY_IMMEDIATE,
        "consumer": _consumer,
    }
    HUEY_ANALYSIS = {**HUEY, "name": f"{HUEY_NAME}-analysis", "consumer": _analysis_consumer,
                     "filename": env.get_str("HUEY_ANALYSIS_SQLITE_PATH", str(VAR_DIR / "huey-analysis.sqlite3"))}

# --- Files: every stored file is encrypted (AES-256-GCM, chunked) before it reaches disk or S3 -------
STORAGE_CONFIG = env.get_storage(VAR_DIR)
MEDIA_ROOT = STORAGE_CONFIG.media_root
MEDIA_URL = "/media/"  # never served directly: files are streamed through access-checked views
STATIC_URL = "/static/"
STATIC_ROOT = None  # pages serve static files through finders; production.py collects them
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "hirelens.core.storage.EncryptedStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Recording chunks (up to 8 MiB) arrive as raw request bodies.
DATA_UPLOAD_MAX_MEMORY_SIZE = 9 * 1024 * 1024

# --- Encryption at rest -----------------------------------------------------------------------
ENCRYPTION_KEYS = env.get_keyring("ENCRYPTION_KEYS", env.DEV_ENCRYPTION_KEYS)
BLIND_INDEX_KEY = env.get_key("BLIND_INDEX_KEY", env.DEV_BLIND_INDEX_KEY)

# --- Authentication -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, loading the user's organization in the same query (sessions signed in before this
    # setting named it are asked to sign in once more)
    "hirelens.accounts.backends.UserWithOrganizationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
INVITATION_TTL = timedelta(days=env.get_int("INVITATION_TTL_DAYS", 7))
SESSION_COOKIE_AGE = 60 * 60 * 12
SESSION_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "hirelens.core.views.csrf_failure"

AXES_FAILURE_LIMIT = env.get_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env.get_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "hirelens.accounts.lockout.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
OTP_TOTP_ISSUER = "HireLens"

# --- Internationalisation: zh-Hans first, English second ------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.get_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- E-mail: SMTP when HIRELENS_EMAIL_HOST is set, otherwise files in var/mail/ ---------------------
EMAIL_HOST = env.get_str("EMAIL_HOST")
EMAIL_PORT = env.get_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env.get_str("EMAIL_USER", "") or ""
EMAIL_HOST_PASSWORD = env.get_str("EMAIL_PASSWORD", "") or ""
EMAIL_USE_TLS = env.get_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env.get_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env.get_str("EMAIL_FROM", "HireLens <no-reply@hirelens.local>")
# Without SMTP, mails are written as files into var/mail/ (readable, and the terminal stays quiet).
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.filebased.EmailBackend"
)
EMAIL_FILE_PATH = VAR_DIR / "mail"

# --- WeChat Official Account and WeCom (the messaging issue uses these) --------------------------
WECHAT_API_BASE = env.get_url("WECHAT_API_BASE", "https://api.weixin.qq.com", {"http", "https"})
WECHAT_APP_ID = env.get_str("WECHAT_APP_ID")
WECHAT_APP_SECRET = env.get_str("WECHAT_APP_SECRET")
WECHAT_TOKEN = env.get_str("WECHAT_TOKEN")
WECHAT_ENCODING_AES_KEY = env.get_str("WECHAT_ENCODING_AES_KEY")
WECOM_API_BASE = env.get_url("WECOM_API_BASE", "https://qyapi.weixin.qq.com", {"http", "https"})
WECOM_CORP_ID = env.get_str("WECOM_CORP_ID")
WECOM_AGENT_ID = env.get_str("WECOM_AGENT_ID")
WECOM_SECRET = env.get_str("WECOM_SECRET")
WECOM_TOKEN = env.get_str("WECOM_TOKEN")
WECOM_ENCODING_AES_KEY = env.get_str("WECOM_ENCODING_AES_KEY")
WECHAT_QR_BASE = env.get_url("WECHAT_QR_BASE", "https://mp.weixin.qq.com", {"http", "https"})
WECHAT_OAUTH_BASE = env.get_url("WECHAT_OAUTH_BASE", "https://open.weixin.qq.com", {"http", "https"})
# Messaging (docs/messaging.md): HTTP timeout towards WeChat/WeCom, callback replay window, default
# reminder offsets in minutes before the start, and the SMS backend class (empty = no SMS).
MESSAGING_HTTP_TIMEOUT = env.get_float("MESSAGING_HTTP_TIMEOUT", 5.0)
# Cores one analysis may use. "auto" (default): this machine's cores shared among the analyses running at
# that moment, so a lone answer gets every core (a one-minute answer with face analysis: 5.6 s on two cores
# against 9.5 s on one, docs/analysis.md) and two at once get one each. A number fixes it.
ANALYSIS_THREADS = 0 if env.get_str("ANALYSIS_THREADS", "auto") == "auto" else max(1, env.get_int("ANALYSIS_THREADS", 1))


def _ice_servers() -> list:
    """WebRTC ICE servers for the live room (STUN/TURN, e.g. coturn), as JSON: nothing outside the machine by default."""
    import json

    raw = env.get_str("ICE_SERVERS", "[]") or "[]"
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise ConfigError("ICE_SERVERS", f"not JSON: {exc}") from None
    if not isinstance(value, list) or not all(isinstance(v, dict) and v.get("urls") for v in value):
        raise ConfigError("ICE_SERVERS", 'a JSON list of {"urls": ..., "username": ..., "credential": ...}')
    return value


LIVE_ICE_SERVERS = _ice_servers()
# A room page pings every 2 s; a joined socket silent this long is a page whose network is gone (a lost close frame
# is otherwise noticed only by the server's protocol pings, 20 s + 20 s): the room announces it as dropped and closes.
LIVE_IDLE_CLOSE_S = env.get_float("LIVE_IDLE_CLOSE_S", 10.0)
MESSAGING_CALLBACK_MAX_SKEW = env.get_int("MESSAGING_CALLBACK_MAX_SKEW", 300)
MESSAGING_REMINDER_OFFSETS = [int(v) for v in env.get_list("MESSAGING_REMINDER_OFFSETS", ["1440", "60"])]
SMS_BACKEND = env.get_str("SMS_BACKEND", "") or ""

# Live rooms through a Janus SFU (docs/deployment.md, "Live rooms: Janus SFU"): Janus's HTTP API, e.g.
# http://127.0.0.1:8088/janus. Empty (the default): the browsers' mesh and the aiortc server peer (live/media.py).
LIVE_JANUS_URL = env.get_url("JANUS_URL", None, {"http", "https"}) or ""
LIVE_JANUS_API_SECRET = env.get_str("JANUS_API_SECRET", "") or ""  # janus.jcfg general.api_secret, if set there
LIVE_JANUS_ADMIN_KEY = env.get_str("JANUS_ADMIN_KEY", "") or ""  # janus.plugin.videoroom.jcfg admin_key, if set there
# Where Janus sends the candidate's forwarded RTP (rtp_forward): this process's address as Janus reaches it.
LIVE_JANUS_FORWARD_HOST = env.get_str("JANUS_FORWARD_HOST", "127.0.0.1") or "127.0.0.1"

# --- Operations -------------------------------------------------------------------------------
# Backups (docs/operations.md): `manage.py backup` writes to BACKUP_DIR; with BACKUP_DAILY the worker writes one
# every day at BACKUP_HOUR (server time zone) and keeps the newest BACKUP_KEEP archives there.
BACKUP_DIR = Path(env.get_str("BACKUP_DIR", str(VAR_DIR / "backups")))
BACKUP_DAILY = env.get_bool("BACKUP_DAILY", False)
BACKUP_HOUR = env.get_int("BACKUP_HOUR", 3)
BACKUP_KEEP = env.get_int("BACKUP_KEEP", 7)
METRICS_TOKEN = env.get_str("METRICS_TOKEN")
# /metrics sums every web and worker process (prometheus_client's multiprocess mode, hirelens/core/metrics.py): the
# variable must be set before prometheus_client is first imported, which settings always precede. An operator's own
# PROMETHEUS_MULTIPROC_DIR wins; HIRELENS_METRICS_MULTIPROCESS=false keeps per-process counters.
METRICS_MULTIPROCESS = env.get_bool("METRICS_MULTIPROCESS", True)
if METRICS_MULTIPROCESS:
    import os as _os

    _os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(VAR_DIR / "metrics"))
    Path(_os.environ["PROMETHEUS_MULTIPROC_DIR"]).mkdir(parents=True, exist_ok=True)
LOG_LEVEL = (env.get_str("LOG_LEVEL", "INFO") or "INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
    raise ConfigError("LOG_LEVEL", f"expected DEBUG, INFO, WARNING or ERROR, got {LOG_LEVEL!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # A 403 or 400 is one line in the log, not a traceback (see hirelens/core/logs.py).
    "filters": {"quiet_client_errors": {"()": "hirelens.core.logs.QuietClientErrors"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["quiet_client_errors"]}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"axes": {"level": "WARNING"}, "django.db.backends": {"level": "INFO"},
                "django.request": {"filters": ["quiet_client_errors"]}},
}
