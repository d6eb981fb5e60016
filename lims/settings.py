"""Settings for the IVD LIMS, read from the environment (see .env.example).

With nothing set, the app runs on an embedded SQLite database in WAL mode with DEBUG off; ``make run`` sets
DEBUG=1 for the local demo. Production sets SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL (PostgreSQL).
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name, "").strip()
    return [item.strip() for item in value.split(",") if item.strip()] if value else default


DEBUG = env_bool("DEBUG")
TESTING = env_bool("LIMS_TESTING")

# Production must set SECRET_KEY. Without it, management commands still work with a throw-away key, but the
# WSGI entry point refuses to start and `check --deploy` reports lims.E001 (lims/checks.py).
SECRET_KEY_FROM_ENV = bool(os.environ.get("SECRET_KEY"))
SECRET_KEY = os.environ.get("SECRET_KEY") or (
    "insecure-development-key-only-for-debug-and-tests-0123456789abcdef" if (DEBUG or TESTING)
    else __import__("secrets").token_urlsafe(50)
)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    # Domain apps, in their import order: nothing imports "upward" (DESIGN.md, Layout).
    "lims",
    "lims.tasks",
    "lims.notifications",
    "incubator",
    "production",
    "production.monitoring",
    "production.labelling",
    "qc",
    "regulatory",
    "lab",
]

MIDDLEWARE = [
    "lims.middleware.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "lims.hygiene.InputHygieneMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "lims.middleware.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "lims.middleware.SessionRefreshMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "lims.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "lims.urls"
WSGI_APPLICATION = "lims.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "lims" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "lims.context_processors.navigation",
                "lims.notifications.context_processors.inbox",
            ],
        },
    },
]

# Django's form templates, with a select that writes its options inline (lims/forms_renderer.py).
FORM_RENDERER = "lims.forms_renderer.FormRenderer"

# --- Database ---------------------------------------------------------------------------------------------
SQLITE_PATH = BASE_DIR / "db.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", "") or f"sqlite:///{SQLITE_PATH}",
        conn_max_age=0,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while a writer commits; IMMEDIATE transactions take the write lock up front so
    # two writers queue (busy timeout) instead of failing with "database is locked" half-way through.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        # Busy timeout: a writer waits this long for the lock, then the request answers 503 (never hangs).
        "timeout": env_int("SQLITE_BUSY_TIMEOUT", 10),
    }
else:
    # A new TCP connection costs ~3 ms here: keep connections in psycopg's pool (Django 5.1+).
    DATABASES["default"].setdefault("OPTIONS", {})
    # Connect and statement timeouts: a database that does not answer costs seconds, never a hung worker.
    DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", env_int("DB_CONNECT_TIMEOUT", 2))
    DATABASES["default"]["OPTIONS"].setdefault(
        "options", f"-c statement_timeout={env_int('DB_STATEMENT_TIMEOUT_MS', 30000)}")
    if env_bool("DB_POOL", default=not TESTING):
        DATABASES["default"]["OPTIONS"]["pool"] = {
            "min_size": env_int("DB_POOL_MIN", 2),
            "max_size": env_int("DB_POOL_MAX", 20),
            # Waiting for a free connection (or for the server to come back) is bounded: an outage answers 503.
            "timeout": float(os.environ.get("DB_POOL_TIMEOUT", "1.5")),
        }
    else:
        DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60)
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication -----------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 is deliberately slow; the suite hashes hundreds of passwords. Production keeps Argon2 first.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 9}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lock-out after repeated failed sign-ins, counted per user name (lims/auth.py). An address is locked only when
# it failed for LOGIN_ADDRESS_USERNAMES distinct user names within the cool-off time: people behind one proxy
# share an address, and one person's typos must not lock the others out. PROXY_COUNT: the number of reverse
# proxies in front of the app (X-Forwarded-For is trusted for that many hops; 0 = none, use REMOTE_ADDR).
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_HANDLER = "lims.auth.LockoutHandler"
LIMS_LOCKOUT_ADDRESS_USERNAMES = env_int("LOGIN_ADDRESS_USERNAMES", 10)
# axes.W006 warns that without "ip_address" an attacker may rotate user agents: the address rule of
# lims.auth.LockoutHandler (many distinct user names from one address) covers that without locking a proxy.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "lims.auth.lockout_response"
AXES_USERNAME_FORM_FIELD = "username"
LIMS_PROXY_COUNT = env_int("PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "lims.auth.client_address"
AXES_VERBOSE = False

# Session timeout: an idle session ends after SESSION_IDLE_MINUTES (sliding window), and with the browser. The
# window moves at most once a minute (lims.middleware.SessionRefreshMiddleware), not with a write on every request.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = False
LIMS_SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# --- Internationalisation -----------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
FORMAT_MODULE_PATH = ["lims.formats"]
USE_TZ = True

# --- Static and media files ----------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING

# --- Security -------------------------------------------------------------------------------------------
SECURE = not DEBUG and not env_bool("INSECURE_HTTP")
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE and not TESTING and env_bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = 31536000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY") else None
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

from csp.constants import NONE, SELF  # noqa: E402

# No inline script anywhere: every script is a static file served by the app itself.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# --- Uploads ---------------------------------------------------------------------------------------------
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 20000

# --- Input hygiene (lims/hygiene.py): what any input may be, whatever the field ----------------------------
LIMS_EARLIEST_DATE = __import__("datetime").date.fromisoformat(os.environ.get("EARLIEST_DATE", "") or "2000-01-01")
LIMS_MAX_FUTURE_YEARS = env_int("MAX_FUTURE_YEARS", 50)
LIMS_MAX_MANUFACTURE_AHEAD_DAYS = env_int("MAX_MANUFACTURE_AHEAD_DAYS", 366)
LIMS_MAX_TEXT_CHARS = env_int("MAX_TEXT_CHARS", 50_000)
LIMS_MAX_NUMBER_DIGITS = env_int("MAX_NUMBER_DIGITS", 30)
LIMS_MAX_JSON_DEPTH = env_int("MAX_JSON_DEPTH", 32)
LIMS_MAX_UPLOAD_NAME_CHARS = env_int("MAX_UPLOAD_NAME_CHARS", 200)

# --- API -------------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["lims.api.permissions.ModelRolePermission"],
    "DEFAULT_PAGINATION_CLASS": "lims.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "lims.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "lims.api.errors.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "lims.api.parsers.JSONParser",
        "lims.api.parsers.FormParser",
        "lims.api.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "COERCE_DECIMAL_TO_STRING": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "IVD LIMS API",
    "DESCRIPTION": "Production, QC, release and export certification of IVD test kits (see API.md).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "lims.api.schema.add_error_responses",
    ],
}

# --- The plant and its resolver --------------------------------------------------------------------------
LIMS_RESOLVER_BASE_URL = os.environ.get("RESOLVER_BASE_URL", "https://id.example-ivd.cn")
# What the plant's keyboard-wedge scanners are set to send before and after a symbol's data (README, Scanning),
# with backslash escapes: SCAN_PREFIX='\x02', SCAN_SUFFIX='\t'. Empty: nothing (Enter ends a scan anyway).
LIMS_SCAN_PREFIX = os.environ.get("SCAN_PREFIX", "").encode("latin-1", "backslashreplace").decode("unicode_escape")
LIMS_SCAN_SUFFIX = os.environ.get("SCAN_SUFFIX", "").encode("latin-1", "backslashreplace").decode("unicode_escape")
LIMS_MANUFACTURER = {
    "name": os.environ.get("MANUFACTURER_NAME", "Chongqing University IVD Institute Co., Ltd."),
    "address": os.environ.get("MANUFACTURER_ADDRESS", "No. 1 Science Park Road, Shapingba, Chongqing 400044, China"),
    "country": os.environ.get("MANUFACTURER_COUNTRY", "CN"),  # ISO 3166-1 alpha-2
}
# The notified body whose number stands beside the CE marking of class B, C and D devices (demo value; set
# NOTIFIED_BODY_NUMBER to your own) and the EU authorised representative printed when the manufacturer is outside
# the EU (IVDR Art. 11, Annex I 20.2); a label that needs either and lacks it is not printed.
LIMS_NOTIFIED_BODY = os.environ.get("NOTIFIED_BODY_NUMBER", "2797")
LIMS_EU_REPRESENTATIVE = {
    "name": os.environ.get("EU_REP_NAME", "EU Authorised Representative GmbH (demo)"),
    "address": os.environ.get("EU_REP_ADDRESS", "Musterstraße 1, 10115 Berlin, Germany"),
}


# --- Operations: background tasks, notifications, outages, logs, metrics (issue #15) ---------------------
# Background tasks run on Celery. Production and CI point BROKER_URL at Redis (redis://127.0.0.1:6379/0) or
# RabbitMQ (amqp://...); without it the embedded default is kombu's filesystem transport in var/broker, which
# needs no server and carries the same messages between the web process, the worker and the scheduler.
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
BROKER_URL = os.environ.get("BROKER_URL", "").strip()
CELERY_BROKER_URL = BROKER_URL or "filesystem://"
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {"visibility_timeout": 3600} if BROKER_URL else
    {"data_folder_in": str(VAR_DIR / "broker"), "data_folder_out": str(VAR_DIR / "broker"),
     "control_folder": str(VAR_DIR / "broker-control")}
)
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY = False  # a broker outage must not hold a request: the sweep re-sends later
CELERY_TASK_IGNORE_RESULT = True  # results live in TaskRun rows, not in a result backend
CELERY_TASK_ACKS_LATE = True  # a worker that dies mid-task leaves the message to be redelivered (idempotent)
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("TASK_QUEUE", "lims")
CELERY_TASK_ALWAYS_EAGER = env_bool("TASKS_EAGER")
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TIMEZONE = TIME_ZONE
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # the worker logs through LOGGING below (JSON, with the task run id)
LIMS_TASK_MAX_ATTEMPTS = env_int("TASK_MAX_ATTEMPTS", 3)
# Exports of more rows than this run as background tasks (progress page, then a download kept this many hours).
LIMS_EXPORT_INLINE_MAX = env_int("EXPORT_INLINE_MAX", 50_000)
LIMS_EXPORT_KEEP_HOURS = env_int("EXPORT_KEEP_HOURS", 24)
LIMS_SYSTEM_USERNAME = os.environ.get("SYSTEM_USERNAME", "lims-system")

# E-mail: SMTP from the environment; the console backend (mails printed by the worker) when no host is set.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or (
    "django.core.mail.backends.locmem.EmailBackend" if TESTING
    else "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "lims@localhost")
LIMS_BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# /healthz answers within this many seconds whatever the database or broker does.
HEALTH_TIMEOUT_SECONDS = float(os.environ.get("HEALTH_TIMEOUT", "1.5"))

# Prometheus metrics at /metrics: a bearer token (METRICS_TOKEN) or, without one, only these addresses.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS", ["127.0.0.1", "::1"])

# Structured logs: one JSON object per line with the request id and the user (LOG_FORMAT=text for humans).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "lims.logs.RequestFilter"}, "outage": {"()": "lims.logs.OutageFilter"}},
    "formatters": {
        "json": {"()": "lims.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s %(user)s] %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request", "outage"],
                             "formatter": "json" if os.environ.get("LOG_FORMAT", "json") == "json" else "text"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {"lims": {"level": os.environ.get("LIMS_LOG_LEVEL", "INFO"), "propagate": True},
                "celery": {"level": "INFO"}},
}
