"""Essor's settings, all read from environment variables (see README, "Configuration")."""

import contextlib
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent.parent
# var/ holds what the instance writes (SQLite database, media, collected static): git-ignored.
VAR_DIR = Path(os.environ.get("ESSOR_VAR_DIR", PACKAGE_DIR.parent / "var")).resolve()


def ensure_dir(path: Path) -> Path:
    """Create a folder the instance writes to; a read-only deployment sets its own paths."""
    with contextlib.suppress(OSError):
        path.mkdir(parents=True, exist_ok=True)
    return path


ensure_dir(VAR_DIR)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "oui"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


ESSOR_ENV = os.environ.get("ESSOR_ENV", "development")
PRODUCTION = ESSOR_ENV == "production"
DEBUG = env_bool("ESSOR_DEBUG", default=not PRODUCTION)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY est obligatoire quand ESSOR_ENV=production.")
    SECRET_KEY = "essor-development-only-not-secret"  # noqa: S105 - never used in production

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # Essor, lowest layer first (see docs/architecture.md)
    "essor.core",
    "essor.territories",
    "essor.accounts",
    "essor.members",
    "essor.initiatives",
    "essor.library",
    "essor.events",
    "essor.news",
    "essor.ingest",
    "essor.letters",
    "essor.search",
    "essor.demo",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
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
    "django_tasks",
    "django_tasks_db",
    "axes",
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, so that it sees the final answer of the login views it throttles.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "essor.config.urls"
WSGI_APPLICATION = "essor.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "essor.core.context_processors.essor",
            ],
            # Tests set this to fail on undefined variables (see essor/conftest.py).
            "string_if_invalid": os.environ.get("ESSOR_TEMPLATE_INVALID", ""),
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'essor.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web server and a task worker share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
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
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:account"
LOGOUT_REDIRECT_URL = "/"

# Login throttling: after 5 failures for one account from one address, a 30-minute pause.
AXES_FAILURE_LIMIT = int(os.environ.get("ESSOR_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_USERNAME_CALLABLE = "essor.accounts.selectors.login_username"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [PACKAGE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
ensure_dir(STATIC_ROOT)  # WhiteNoise warns at start-up when it is missing
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
WHITENOISE_USE_FINDERS = not PRODUCTION

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
# With EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend (browser checks).
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Essor <ne-pas-repondre@essor.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

WAGTAIL_SITE_NAME = os.environ.get("ESSOR_SITE_NAME", "Essor")
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAIL_I18N_ENABLED = False
# Addresses are ASCII (Django's SlugField): the admin then turns "Journée" into "journee"
# as the title is typed, instead of proposing a slug the form refuses.
WAGTAIL_ALLOW_UNICODE_SLUGS = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "txt", "csv", "odt", "ods", "docx", "xlsx"]

# Marks every page as demonstration data (set by `essor demo`, see essor.demo).
ESSOR_DEMO_BANNER = env_bool("ESSOR_DEMO_BANNER", default=not PRODUCTION)

SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "SAMEORIGIN"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)

# A cache every process of the machine shares (files under var/), so that an edit made
# through one web process makes cached pages stale in all of them; Redis past one machine.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache"),
        "OPTIONS": {"MAX_ENTRIES": 20_000},
    }
}
if os.environ.get("REDIS_URL"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("ESSOR_LOG_LEVEL", "WARNING")},
}

# Pages served to anonymous visitors from the cache (essor/core/caching.py); off to measure
# the uncached cost.
ESSOR_PAGE_CACHE = os.environ.get("ESSOR_PAGE_CACHE", "1") != "0"
# Costly reads and rendered fragments kept per content version (`remember`); off to measure
# what a page costs when nothing is kept at all.
ESSOR_DATA_CACHE = os.environ.get("ESSOR_DATA_CACHE", "1") != "0"

# The largest file the library accepts (an upload or `essor library_add`), in bytes.
ESSOR_LIBRARY_MAX_BYTES = int(os.environ.get("ESSOR_LIBRARY_MAX_BYTES", 50 * 1024 * 1024))

# The search index (Tantivy, on disk) and whether saving content updates it at once (tests
# that do not search turn it off; `essor search_rebuild` fills it again whenever needed).
ESSOR_SEARCH_DIR = Path(os.environ.get("ESSOR_SEARCH_DIR", VAR_DIR / "search"))
ESSOR_SEARCH_AUTO_INDEX = os.environ.get("ESSOR_SEARCH_AUTO_INDEX", "1") != "0"
# Events: the reminder goes out this many days before; registrations are anonymised this
# many days after the event (the registration form's consent text says so).
ESSOR_EVENT_REMINDER_DAYS = int(os.environ.get("ESSOR_EVENT_REMINDER_DAYS", "2"))
ESSOR_EVENT_RETENTION_DAYS = int(os.environ.get("ESSOR_EVENT_RETENTION_DAYS", "365"))
# Letters (essor/letters): the sender of the letters; messages per second a worker sends at
# most (0: as fast as the SMTP server takes them); how many deliveries a worker claims at once,
# and after how long without news from it another worker takes them back; temporary SMTP
# failures are retried this many times, first after this many seconds (then doubling);
# unconfirmed subscriptions are deleted after this many days.
ESSOR_LETTERS_FROM_EMAIL = os.environ.get("ESSOR_LETTERS_FROM_EMAIL", DEFAULT_FROM_EMAIL)
ESSOR_LETTERS_RATE = float(os.environ.get("ESSOR_LETTERS_RATE", "0"))
ESSOR_LETTERS_BATCH = int(os.environ.get("ESSOR_LETTERS_BATCH", "100"))
ESSOR_LETTERS_CLAIM_LEASE_SECONDS = int(os.environ.get("ESSOR_LETTERS_CLAIM_LEASE_SECONDS", "300"))
ESSOR_LETTERS_MAX_ATTEMPTS = int(os.environ.get("ESSOR_LETTERS_MAX_ATTEMPTS", "5"))
ESSOR_LETTERS_RETRY_SECONDS = int(os.environ.get("ESSOR_LETTERS_RETRY_SECONDS", "600"))
ESSOR_LETTERS_PENDING_DAYS = int(os.environ.get("ESSOR_LETTERS_PENDING_DAYS", "30"))

# Benchmarks mount a bare Django view beside the site to compare against (benchmarks/).
ESSOR_BENCHMARK_ROUTES = env_bool("ESSOR_BENCHMARK_ROUTES")
