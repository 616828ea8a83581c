"""Settings shared by every environment; everything configurable reads the environment.

The embedded default (no ``DATABASE_URL``, no ``REDIS_URL``) is SQLite and an
in-process channel layer in one process. Setting ``DATABASE_URL`` selects
PostgreSQL with Django's connection pool; setting ``REDIS_URL`` selects the
Redis channel layer, so several ASGI workers can share conference rooms.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("THRESHOLD_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_days(name: str, default: int | None) -> int | None:
    """Read a number of days; ``keep`` (or ``none``) means keep for ever."""
    value = os.environ.get(name)
    if value is None:
        return default
    if value.strip().lower() in {"keep", "none", ""}:
        return None
    return int(value)


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
# Earlier keys, still accepted for signatures while sessions signed with them
# run out (docs/operations.md, "Rotating secrets").
SECRET_KEY_FALLBACKS = env_list("DJANGO_SECRET_KEY_FALLBACKS")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "accounts",
    "content",
    "scenarios",
    "simulations",
    "assessments",
    "audit",
    "dataprotection",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "channels",
    "django_htmx",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "audit.context.AuditContextMiddleware",
    "accounts.sessions.SharedDeviceSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "config.middleware.AdminContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "site" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.people",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

# Database -----------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"].setdefault("OPTIONS", {})
        DATABASES["default"]["OPTIONS"]["pool"] = {
            "min_size": int(os.environ.get("DATABASE_POOL_MIN", "2")),
            "max_size": int(os.environ.get("DATABASE_POOL_MAX", "20")),
            "timeout": 10,
        }
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        # Wagtail's search index uses PostgreSQL full-text search here.
        INSTALLED_APPS.append("django.contrib.postgres")
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(VAR_DIR / "threshold.sqlite3")),
            "OPTIONS": {
                # Immediate transactions take the write lock at BEGIN, so two
                # writers queue on the busy timeout instead of failing with
                # "database is locked" part-way through a transaction.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA busy_timeout=20000;"
                    "PRAGMA foreign_keys=ON;"
                ),
            },
            # Keep connections open. With the default (0) Channels closes the
            # connection after every command; closing the last connection to
            # a WAL database checkpoints and deletes the WAL, so each vote
            # would pay a checkpoint and a reconnect.
            "CONN_MAX_AGE": None,
            "CONN_HEALTH_CHECKS": True,
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# Channels -----------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # channels_redis blocks on BZPOPMIN for 5 s at a time; redis-py 8
                # times socket reads out after 5 s by default, so an idle
                # receive raised TimeoutError. Reads may take longer than that.
                "hosts": [{"address": REDIS_URL, "max_connections": 200, "socket_timeout": 15}],
                "capacity": 2000,
                "expiry": 30,
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# How much may wait for one room socket whose client has stopped reading
# before the socket is closed (1013) and the client resyncs on reconnecting.
THRESHOLD_SOCKET_OUTBOX_FRAMES = int(os.environ.get("THRESHOLD_SOCKET_OUTBOX_FRAMES", "512"))
THRESHOLD_SOCKET_OUTBOX_BYTES = int(os.environ.get("THRESHOLD_SOCKET_OUTBOX_BYTES", str(1 << 20)))

# Auth ---------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sign-in goes through one backend that throttles failed attempts (both the
# site's form and Wagtail's admin sign-in call ``authenticate``).
AUTHENTICATION_BACKENDS = ["accounts.backends.ThrottledModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # one day

MAILERS = {
    "default": {
        "BACKEND": os.environ.get("MAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"),
        "OPTIONS": {
            key: value
            for key, value in {
                "host": os.environ.get("MAIL_HOST"),
                "port": int(os.environ["MAIL_PORT"]) if os.environ.get("MAIL_PORT") else None,
                "username": os.environ.get("MAIL_USER"),
                "password": os.environ.get("MAIL_PASSWORD"),
                "use_tls": env_bool("MAIL_USE_TLS", False) or None,
            }.items()
            if value is not None
        },
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "threshold@localhost")

# Internationalisation -----------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/Jersey"
USE_I18N = True
USE_TZ = True

# Static and media ---------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "site" / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static_root"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Caches -------------------------------------------------------------------
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Security -----------------------------------------------------------------
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", 60 * 60 * 12))
# Sign-in throttling (accounts.throttle): this many failures for one username
# within the window locks that username for the cool-off, even with the right
# password; a separate, larger limit applies to each source address.
THRESHOLD_SIGNIN_MAX_FAILURES = int(os.environ.get("THRESHOLD_SIGNIN_MAX_FAILURES", 5))
THRESHOLD_SIGNIN_IP_MAX_FAILURES = int(os.environ.get("THRESHOLD_SIGNIN_IP_MAX_FAILURES", 20))
THRESHOLD_SIGNIN_WINDOW_SECONDS = int(os.environ.get("THRESHOLD_SIGNIN_WINDOW_SECONDS", 15 * 60))
THRESHOLD_SIGNIN_LOCKOUT_SECONDS = int(os.environ.get("THRESHOLD_SIGNIN_LOCKOUT_SECONDS", 15 * 60))
# "This is a shared device": the session ends when the browser closes and
# after this long without a request.
THRESHOLD_SHARED_DEVICE_IDLE_SECONDS = int(
    os.environ.get("THRESHOLD_SHARED_DEVICE_IDLE_SECONDS", 30 * 60)
)
# How many proxies we run in front of the app; the client's address is read
# from X-Forwarded-For that many hops from the right (0: REMOTE_ADDR).
THRESHOLD_PROXY_COUNT = int(os.environ.get("THRESHOLD_PROXY_COUNT", 0))

# Wagtail ------------------------------------------------------------------
WAGTAIL_SITE_NAME = "Threshold"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {
    "default": {
        "BACKEND": "wagtail.search.backends.database",
        "INDEX_PREFIX": "threshold_",
    }
}
# Wagtail's admin sign-in form, with the same lockout message as the site's.
WAGTAILADMIN_USER_LOGIN_FORM = "accounts.forms.AdminSignInForm"
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "pdf", "txt", "xlsx"]

# Background tasks (Django's tasks framework) run in-process by default.
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}

# Threshold -------------------------------------------------------------
# Scenario packs cite guidance paragraphs; this resolves their keys.
THRESHOLD_CITATION_CHECKER = "content.citations.citation_exists"

# Competency and CPD rules (assessments.rules). The level 3 expectation is
# 12 hours over a rolling 3 years, at least half of them participatory.
THRESHOLD_CPD_HOURS = int(os.environ.get("THRESHOLD_CPD_HOURS", 12))
THRESHOLD_CPD_PARTICIPATORY_FRACTION = os.environ.get("THRESHOLD_CPD_PARTICIPATORY_FRACTION", "0.5")
THRESHOLD_CPD_WINDOW_YEARS = int(os.environ.get("THRESHOLD_CPD_WINDOW_YEARS", 3))
THRESHOLD_CONFERENCE_PASS_PERCENT = int(os.environ.get("THRESHOLD_CONFERENCE_PASS_PERCENT", 60))
THRESHOLD_COMPETENCY_VALID_MONTHS = int(os.environ.get("THRESHOLD_COMPETENCY_VALID_MONTHS", 36))
THRESHOLD_EXPIRY_WARNING_DAYS = int(os.environ.get("THRESHOLD_EXPIRY_WARNING_DAYS", 60))
# Participatory CPD hours recorded for attending a seminar's mock conference.
THRESHOLD_SEMINAR_HOURS = os.environ.get("THRESHOLD_SEMINAR_HOURS", "3")
# Concurrent WebSockets one client address may hold in one worker process (0: no
# cap). A seminar's delegates often share one office or venue address, so the cap
# must fit a whole seminar with spare tabs; beyond it a socket closes with 1013.
THRESHOLD_WS_MAX_SOCKETS_PER_ADDRESS = int(
    os.environ.get("THRESHOLD_WS_MAX_SOCKETS_PER_ADDRESS", 100)
)
# Concurrent WebSockets one worker process holds at most (0: no cap). The
# benchmarks held 5,000 in one process in about 235 MB; past the cap a socket
# closes with 1013 and its client tries again, through the proxy often on
# another worker, instead of the worker running out of memory.
THRESHOLD_WS_MAX_SOCKETS = int(os.environ.get("THRESHOLD_WS_MAX_SOCKETS", 5000))
THRESHOLD_EVIDENCE_MAX_BYTES = int(os.environ.get("THRESHOLD_EVIDENCE_MAX_BYTES", 5 * 1024 * 1024))
# xAPI: statements are queued always and sent only when an endpoint is set.
THRESHOLD_XAPI_ENDPOINT = os.environ.get("THRESHOLD_XAPI_ENDPOINT", "")
THRESHOLD_XAPI_USERNAME = os.environ.get("THRESHOLD_XAPI_USERNAME", "")
THRESHOLD_XAPI_PASSWORD = os.environ.get("THRESHOLD_XAPI_PASSWORD", "")
THRESHOLD_EVIDENCE_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}

# Retention schedule (dataprotection.retention; ``manage.py purge_expired``,
# run daily from cron). Days after the start point each record type is
# kept; None keeps it for ever. Released competency evidence, scorecards,
# certificates and the audit log are never purged here. See
# docs/operations.md, "Retention and purging".
THRESHOLD_RETENTION = {
    # Conference transcripts (a room's RoomEvent rows and state snapshot),
    # counted from the day the room closed, for rooms with no released evidence.
    "room_transcripts": env_days("THRESHOLD_RETAIN_ROOM_TRANSCRIPTS_DAYS", 90),
    # The same for rooms whose scorecard became released evidence: the
    # evidence stays; None keeps these transcripts too.
    "evidence_room_transcripts": env_days("THRESHOLD_RETAIN_EVIDENCE_TRANSCRIPTS_DAYS", 90),
    # Rooms opened but never closed, counted from their last activity.
    "unclosed_room_transcripts": env_days("THRESHOLD_RETAIN_UNCLOSED_TRANSCRIPTS_DAYS", 180),
    # xAPI statements the learning record store accepted, counted from sending.
    "sent_xapi_statements": env_days("THRESHOLD_RETAIN_SENT_XAPI_DAYS", 30),
    # xAPI statements never sent (no store set, or it kept failing), from queueing.
    "unsent_xapi_statements": env_days("THRESHOLD_RETAIN_UNSENT_XAPI_DAYS", 365),
    # Expired sessions (Django's clearsessions); 0 clears them as soon as they expire.
    "expired_sessions": env_days("THRESHOLD_RETAIN_EXPIRED_SESSIONS_DAYS", 0),
    # Counts of failed sign-ins (keyed hashes, no names), from the start of
    # their window; a running lockout is kept until it ends.
    "sign_in_throttles": env_days("THRESHOLD_RETAIN_SIGN_IN_THROTTLES_DAYS", 1),
}

# Texts that look like identifiers but are public organisational contacts
# from the official documents; the guards on incoming text (scenarios,
# workbook answers, conference reports) and ``manage.py scan_identifiers``
# accept them (exact match, any case).
THRESHOLD_IDENTIFIER_ALLOWLIST = ["safeguardingtraining@gov.je"]

# Logging ------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.channels.server": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "django.tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
    },
}
