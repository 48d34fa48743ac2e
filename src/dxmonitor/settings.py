"""Django settings. Every knob is an environment variable documented in docs/settings.md."""

import ipaddress
import os
import secrets
from pathlib import Path

import dj_database_url

PACKAGE_DIR = Path(__file__).resolve().parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_flag(name: str, default: bool = False) -> bool:
    value = env(name)
    if not value:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _default_var_dir() -> Path:
    # In a source checkout the data lives beside the code, whatever the working directory.
    checkout = PACKAGE_DIR.parent.parent
    if (checkout / "pyproject.toml").is_file():
        return checkout / "var"
    return Path.cwd() / "var"


VAR_DIR = Path(env("DXM_VAR_DIR", str(_default_var_dir()))).resolve()


def _secret_key() -> str:
    configured = env("DXM_SECRET_KEY")
    if configured:
        return configured
    # A key generated once per installation keeps sessions valid across restarts
    # without ever shipping a shared default key.
    key_file = VAR_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
DEBUG = env_flag("DXM_DEBUG")
ALLOWED_HOSTS = [h.strip() for h in env("DXM_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in env("DXM_CSRF_TRUSTED_ORIGINS").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "dxmonitor.accounts",
    "dxmonitor.geo",
    "dxmonitor.catalog",
    "dxmonitor.collection",
    "dxmonitor.workflow",
    "dxmonitor.signing",
    "dxmonitor.reports",
    "dxmonitor.analytics",
    "dxmonitor.dashboard",
    "dxmonitor.extraction",
    "dxmonitor.web",
    "dxmonitor.portal",
    "dxmonitor.jobs",
    "dxmonitor.assessment",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "dxmonitor.web.middleware.LanguageMiddleware",
    "dxmonitor.collection.dhis2_paths.Dhis2PathMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "dxmonitor.web.middleware.InputHygieneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "dxmonitor.urls"
WSGI_APPLICATION = "dxmonitor.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'dxmonitor.sqlite3'}"),
        conn_max_age=60,
    )
}

# One cache shared by every web process and the worker, kept in the database: the sign-in brake's
# counters must add up across processes, or each process would allow its own share of guesses.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "dxmonitor_cache",
    }
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dashboard read while an import writes; the timeout rides out short locks.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": int(env("DXM_PASSWORD_MIN_LENGTH", "10"))},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
FORMAT_MODULE_PATH = ["dxmonitor.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "dxm_language"

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the app folders: `make demo` needs no collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
# Production behind TLS (docs/deployment.md): DXM_HTTPS=true turns on secure cookies and the
# redirect to https; HSTS is its own decision, as browsers remember it.
_HTTPS = env_flag("DXM_HTTPS")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_flag("DXM_SECURE_COOKIES", _HTTPS)
SECURE_SSL_REDIRECT = env_flag("DXM_SSL_REDIRECT", _HTTPS)
SECURE_HSTS_SECONDS = int(env("DXM_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_flag("DXM_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = env_flag("DXM_HSTS_PRELOAD")
# The reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed (addresses or
# networks); nobody else's. The client's address decides the log-in brake.
DXM_TRUSTED_PROXIES = [p.strip() for p in env("DXM_TRUSTED_PROXIES").split(",") if p.strip()]
for _proxy in DXM_TRUSTED_PROXIES:
    ipaddress.ip_network(_proxy, strict=False)  # a mistyped address stops the start, with its value
if env_flag("DXM_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The log-in brake, over 15 minutes: wrong passwords for one name from one address, for any
# name from one address, for one name from any address.
DXM_LOGIN_MAX_FAILURES = int(env("DXM_LOGIN_MAX_FAILURES", "5"))
DXM_LOGIN_MAX_FAILURES_PER_ADDRESS = int(env("DXM_LOGIN_MAX_FAILURES_PER_ADDRESS", "20"))
DXM_LOGIN_MAX_FAILURES_PER_ACCOUNT = int(env("DXM_LOGIN_MAX_FAILURES_PER_ACCOUNT", "20"))
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Excel and CSV uploads of values: larger files are refused before they are read.
DXM_MAX_UPLOAD_MB = int(env("DXM_MAX_UPLOAD_MB", "20"))
# Uploads (and the values their check read) are removed this many days after they were sent, and
# one user's kept uploads take at most this much.
DXM_UPLOADS_KEEP_DAYS = int(env("DXM_UPLOADS_KEEP_DAYS", "30"))
DXM_UPLOAD_QUOTA_MB = float(env("DXM_UPLOAD_QUOTA_MB", "200"))
# The bulk API reads its body as a stream (past DATA_UPLOAD_MAX_MEMORY_SIZE) up to this bound.
DXM_MAX_PAYLOAD_MB = float(env("DXM_MAX_PAYLOAD_MB", "200"))
# Every JSON body and file is measured before it is read: deeper or longer ones get a 400.
DXM_JSON_MAX_DEPTH = int(env("DXM_JSON_MAX_DEPTH", "32"))
DXM_JSON_MAX_TOKENS = int(env("DXM_JSON_MAX_TOKENS", "30000000"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DXM_LOG_LEVEL", "WARNING")},
}
# The analytics store (a DuckDB file); ":memory:" keeps it in memory. Its memory limit, e.g. "8GB".
# Notifications about reports (submitted, returned, approved, deadlines) go by e-mail. The
# console backend prints them to the server's output, which is what the demo does.
EMAIL_BACKEND = env("DXM_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("DXM_EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("DXM_EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("DXM_EMAIL_USER")
EMAIL_HOST_PASSWORD = env("DXM_EMAIL_PASSWORD")
EMAIL_USE_TLS = env_flag("DXM_EMAIL_TLS")
DEFAULT_FROM_EMAIL = env("DXM_EMAIL_FROM", "dxmonitor <no-reply@localhost>")
# Links in e-mails point here.
DXM_BASE_URL = env("DXM_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

ANALYTICS_PATH = env("DXM_ANALYTICS_PATH")
ANALYTICS_MEMORY = env("DXM_ANALYTICS_MEMORY")

# Background jobs: a durable queue in the database (django-tasks' database backend), run by
# `dxmonitor worker` processes. See docs/deployment.md.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# How long a running job's process may go silent before another worker takes the job over.
DXM_JOB_LEASE_SECONDS = float(env("DXM_JOB_LEASE_SECONDS", "60"))
# How often an idle worker looks at the queue on SQLite (PostgreSQL wakes it at once).
DXM_WORKER_POLL_SECONDS = float(env("DXM_WORKER_POLL_SECONDS", "1"))
# Periodic jobs an operator turned off, by name (see `dxmonitor scheduler --list`).
DXM_SCHEDULE_DISABLE = env("DXM_SCHEDULE_DISABLE")
# Finished jobs are removed after this many days.
DXM_JOBS_KEEP_DAYS = int(env("DXM_JOBS_KEEP_DAYS", "30"))

# The web server (`dxmonitor serve`): processes, Django threads in each, and the limits that keep
# slow clients from holding it. Headers must arrive within DXM_HEADER_TIMEOUT seconds; a body
# within DXM_BODY_TIMEOUT seconds plus one second per DXM_BODY_MIN_RATE bytes received.
DXM_WEB_PROCESSES = int(env("DXM_WEB_PROCESSES", "1"))
DXM_WEB_THREADS = int(env("DXM_WEB_THREADS", "8"))
DXM_WEB_BACKLOG = int(env("DXM_WEB_BACKLOG", "1024"))
DXM_HEADER_TIMEOUT = float(env("DXM_HEADER_TIMEOUT", "10"))
DXM_BODY_TIMEOUT = float(env("DXM_BODY_TIMEOUT", "20"))
DXM_BODY_MIN_RATE = float(env("DXM_BODY_MIN_RATE", "1024"))
