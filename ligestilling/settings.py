"""Settings for ligestilling.

Everything that differs between a laptop and production comes from the environment
(see `.env.example`); there is one settings module so there is one place to read.
"""

import hashlib
import hmac
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

from .cache import cache_config

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"
# Without DEBUG an empty key is refused where it matters, not at import: when a server
# loads the application (wsgi.py, asgi.py), by `check --deploy` (accounts/checks.py) and
# by Django wherever something is signed. Commands that sign nothing (makemigrations,
# migrate) run without one.

# The secret of the cell keys of imported figures (datasets): each published count gets a
# small fixed noise from a keyed hash of the cell's identity (docs/how-we-count.md), so the
# noise cannot be computed without it. By default derived from SECRET_KEY (installations
# differ without new configuration); set it on its own to keep the published figures when
# SECRET_KEY is rotated, because a new secret gives every figure new noise, and a reader who
# kept the old figures could average the two.
CELL_KEY_SECRET = env.str("CELL_KEY_SECRET", default="") or hmac.new(
    SECRET_KEY.encode(), b"ligestilling cell-key secret", hashlib.sha256).hexdigest()

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "csp",
    "crispy_forms",
    "crispy_bootstrap5",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "bootstrap",
    "accounts",
    "datasets",
    "logbooks",
    "projects",
    "workshops",
    "reporting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads the session, the query or a form: NUL bytes get 400.
    "ligestilling.middleware.RefuseNulBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.middleware.IdleTimeoutMiddleware",
    "accounts.middleware.DanishFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "accounts.middleware.NoStoreForAuthenticatedMiddleware",
    # Axes must come last so it sees the outcome of the login view.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ligestilling.urls"
WSGI_APPLICATION = "ligestilling.wsgi.application"

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
                "csp.context_processors.nonce",
                "accounts.context_processors.navigation",
            ],
        },
    },
]

# SQLite under var/ is the zero-setup default; production and CI use PostgreSQL.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"),
}
# A new PostgreSQL connection per request costs ~10 ms here; keep them open.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
# PostgreSQL time limits per connection: one slow query, one held lock or one session
# left idle inside a transaction must not stall every page (a fault-injection run saw a
# 40 s table lock hold up every request and the health check). 0 turns a limit off:
# run `migrate` with DB_STATEMENT_TIMEOUT_MS=0 DB_LOCK_TIMEOUT_MS=0; the task worker
# (`manage.py run_worker`) raises the statement limit to WORKER_STATEMENT_TIMEOUT_MS.
DB_TIMEOUTS_MS = {
    "statement_timeout": env.int("DB_STATEMENT_TIMEOUT_MS", default=30_000),
    "lock_timeout": env.int("DB_LOCK_TIMEOUT_MS", default=5_000),
    "idle_in_transaction_session_timeout": env.int("DB_IDLE_IN_TRANSACTION_TIMEOUT_MS", default=60_000),
}
WORKER_STATEMENT_TIMEOUT_MS = env.int("WORKER_STATEMENT_TIMEOUT_MS", default=15 * 60_000)


def _postgres_options(database: dict) -> None:
    if database["ENGINE"] == "django.db.backends.postgresql":
        database.setdefault("OPTIONS", {})["options"] = " ".join(
            f"-c {name}={value}" for name, value in DB_TIMEOUTS_MS.items())


_postgres_options(DATABASES["default"])

# A streaming replica of the primary, for dashboard reads (see ligestilling/db.py).
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    _postgres_options(DATABASES["replica"])
DATABASE_ROUTERS = ["ligestilling.db.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Password-reset mails: at most this many to one address, and requests from one client
# address, per window (counted in the cache: CACHE_URL; accounts/throttle.py).
PASSWORD_RESET_MAX_PER_ADDRESS = env.int("PASSWORD_RESET_MAX_PER_ADDRESS", default=3)
PASSWORD_RESET_MAX_PER_IP = env.int("PASSWORD_RESET_MAX_PER_IP", default=20)
PASSWORD_RESET_WINDOW_SECONDS = env.int("PASSWORD_RESET_WINDOW_SECONDS", default=60 * 60)
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login throttling: 5 failures for one username within 30 minutes locks that username
# for 30 minutes, whether or not the account exists (so the response reveals nothing).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = ["username"]
# The login form field is "username" although users log in by e-mail. Failures are
# counted under the canonical address that login matches, so "ADMIN@x.dk " and
# "admin@x.dk" share one budget.
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.lockout.lockout_username"
# Locking by IP would lock a whole town hall out: municipal staff share NAT addresses.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Covering indexes (INCLUDE) are a PostgreSQL speed-up; SQLite builds the same index
    # without the extra columns, which is all the zero-setup default needs.
    SILENCED_SYSTEM_CHECKS.append("models.W040")
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_VERBOSE = False
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)

# Idle timeout: the session expires after this long without a request.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=8 * 60 * 60)
SESSION_SAVE_EVERY_REQUEST = False  # accounts.middleware.IdleTimeoutMiddleware refreshes it
SESSION_EXPIRE_AT_BROWSER_CLOSE = False

LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Danish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# plotly.js comes from the installed plotly package (vendor/plotly.min.js), not the repo.
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "reporting.finders.PlotlyFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
# Staged dataset uploads wait here between upload and import (datasets/services.py). A
# folder by default; with several hosts, an S3-compatible bucket that every web container
# and task worker reaches (django-storages). Credentials: AWS_ACCESS_KEY_ID and
# AWS_SECRET_ACCESS_KEY, or the host's IAM role when they are unset.
IMPORTS_S3_BUCKET = env.str("IMPORTS_S3_BUCKET", default="")
if IMPORTS_S3_BUCKET:
    STORAGES["imports"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": IMPORTS_S3_BUCKET,
            "location": env.str("IMPORTS_S3_PREFIX", default="imports"),
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
            "file_overwrite": False,  # never replace another upload's object
            "default_acl": None,  # objects stay private: the bucket's policy applies
        },
    }
else:
    STORAGES["imports"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env.path("IMPORTS_DIR", default=BASE_DIR / "var" / "imports")},
    }
MEDIA_ROOT = env.path("MEDIA_DIR", default=BASE_DIR / "var" / "media")
# Files up to this size are imported within the upload's request, larger ones by the
# task worker.
DATASETS_INLINE_IMPORT_BYTES = env.int("DATASETS_INLINE_IMPORT_BYTES", default=2 * 1024 * 1024)
MEDIA_URL = "media/"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Dashboards are cached under each municipality's data version (accounts.versions), so a
# cache per process is correct; CACHE_URL=redis://host:6379/1 shares the work between
# processes and hosts.
# A Redis outage makes pages slower, never broken (ligestilling/cache.py).
CACHES = {"default": cache_config(env.str("CACHE_URL", default="locmemcache://ligestilling"))}

# Background work: the database worker in production (`manage.py db_worker`); the
# immediate backend runs tasks inline for the zero-setup default and the tests.
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks.backends.immediate.ImmediateBackend"),
    }
}

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
if "EMAIL_URL" in env:
    vars().update(env.email_url("EMAIL_URL"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ligestilling@localhost")

# --- Transport security: each switch has its own variable so that tests and local
# HTTP keep working while production turns everything on.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# security.W021 asks for SECURE_HSTS_PRELOAD. Preloading is a decision for the owner of the
# whole domain (only a registrable domain such as kommune.dk can be submitted, and then for
# every subdomain, for years), so it stays off unless set; HSTS itself is on.
if SECURE_HSTS_SECONDS and not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS.append("security.W021")
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies in front of the application append to X-Forwarded-For (nginx: 1;
# a load balancer in front of nginx: 2). The audit log's client address is the entry
# that many places from the right; what the client itself sent is never believed.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1 if env.bool("BEHIND_TLS_PROXY", default=False) else 0)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Scripts only from our own origin or with the per-request nonce; no unsafe-inline.
# Styles allow inline because plotly.js injects <style> at run time.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# Audit retention (purged daily by `manage.py purge_expired`, run as the database owner):
# logins, refusals, reads and exports; and changes and administration.
AUDIT_ACCESS_RETENTION_MONTHS = env.int("AUDIT_ACCESS_RETENTION_MONTHS", default=6)
AUDIT_CHANGE_RETENTION_MONTHS = env.int("AUDIT_CHANGE_RETENTION_MONTHS", default=60)

# Uploads: a size limit the import refuses with a clear message.
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=50 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Larger uploads go to a temporary file; on a full disk the part written is deleted and the
# upload page says so (datasets/uploads.py) instead of a 500.
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "datasets.uploads.TemporaryFileUploadHandler",
]
# What an uploaded dataset file may contain (datasets/importing.py; docs/datasets.md).
# Checked on the bytes and the zip directory before any parser runs, so a wide or huge
# file is refused before a mapping page is built.
DATASETS_MAX_COLUMNS = env.int("DATASETS_MAX_COLUMNS", default=200)
DATASETS_MAX_HEADER_CHARS = env.int("DATASETS_MAX_HEADER_CHARS", default=200)
DATASETS_MAX_CELLS = env.int("DATASETS_MAX_CELLS", default=20_000_000)  # rows x columns
DATASETS_MAX_LINE_BYTES = env.int("DATASETS_MAX_LINE_BYTES", default=64 * 1024)
DATASETS_XLSX_MAX_ENTRIES = env.int("DATASETS_XLSX_MAX_ENTRIES", default=1000)
DATASETS_XLSX_MAX_UNCOMPRESSED = env.int("DATASETS_XLSX_MAX_UNCOMPRESSED", default=500 * 1024 * 1024)
DATASETS_XLSX_MAX_RATIO = env.int("DATASETS_XLSX_MAX_RATIO", default=200)
DATASETS_XLSX_MAX_PART = env.int("DATASETS_XLSX_MAX_PART", default=250 * 1024 * 1024)
# openpyxl reads the shared strings whole into memory, so they have a limit of their own.
DATASETS_XLSX_MAX_SHARED_STRINGS = env.int("DATASETS_XLSX_MAX_SHARED_STRINGS", default=20 * 1024 * 1024)
# How long the upload request may spend reading a file (checks and mapping preview).
DATASETS_PREVIEW_SECONDS = env.float("DATASETS_PREVIEW_SECONDS", default=10.0)

# Background jobs (dataset imports, committee PDFs; ligestilling/jobs.py): a running job
# renews its lease at every step; one whose lease ran out (its worker died) is failed, and
# so is a queued job whose task is gone or that waited longer than the queue limit.
JOBS_LEASE_SECONDS = env.int("JOBS_LEASE_SECONDS", default=300)
JOBS_QUEUE_LIMIT_SECONDS = env.int("JOBS_QUEUE_LIMIT_SECONDS", default=3600)

# One line per event with time, level and process, for the journal or the container log.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s",
                 "datefmt": "%Y-%m-%dT%H:%M:%S%z"},
    },
    "filters": {
        "one_line_warning": {"()": "ligestilling.logfilters.OneLineWarning"},
        "client_errors_one_line": {"()": "ligestilling.logfilters.ClientErrorsWithoutTraceback"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "line"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # Scanners send foreign Host headers all day: one line each, not a traceback.
        "django.security.DisallowedHost": {"filters": ["one_line_warning"]},
        "django.request": {"filters": ["client_errors_one_line"]},
    },
}
