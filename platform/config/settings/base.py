"""Settings shared by every environment. Everything comes from the environment (12-factor).

With no configuration at all the project runs on an embedded default: SQLite, a local-memory
cache and Celery tasks executed eagerly in-process. Set DATABASE_URL and REDIS_URL to use
PostgreSQL and Redis.
"""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parents[3]  # the repository root
env = environ.Env()

SECRET_KEY = env(
    "SECRET_KEY", default="dev-only-insecure-key-never-use-in-production-0123456789abcdef"
)
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# How many reverse proxies of our own stand in front of the app server. 0: the client address
# is REMOTE_ADDR and X-Forwarded-For is ignored (anyone can write it). See common.network.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

INSTALLED_APPS = [
    # unfold must come before django.contrib.admin to override its templates
    "unfold",
    "unfold.contrib.filters",
    "unfold.contrib.forms",
    "unfold.contrib.import_export",
    "unfold.contrib.simple_history",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework_simplejwt",
    "django_filters",
    "drf_spectacular",
    "graphene_django",
    "import_export",
    "simple_history",
    # the core
    "common",
    "accounts",
    "listings",
    "calendars",
    "bookings",
    "reviews",
    "payments",
    "ledger",
    "audit",
    "demo",
    # the interfaces
    "backoffice",
    "public_api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "common.actor.ActorMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite by default. IMMEDIATE transactions make every atomic block take SQLite's write lock at
# BEGIN, which serialises the booking engine's check-then-insert (PostgreSQL relies on an
# exclusion constraint instead).
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# --- Cache and sessions ---------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="staybook"),
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
        }
    }
    # Sessions are read from Redis and written through to the database (survive a flush).
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Celery -----------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL or "cache+memory://")
# No broker configured: run tasks in-process so the embedded default needs no worker.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Housekeeping run by `celery -A config beat`; each task is a thin wrapper over a core service.
CELERY_BEAT_SCHEDULE = {
    "expire-stale-bookings": {"task": "bookings.expire_stale", "schedule": 60.0},
    "complete-finished-stays": {"task": "bookings.complete_finished", "schedule": 15 * 60.0},
    "purge-idempotency-keys": {"task": "common.purge_idempotency_keys", "schedule": 3600.0},
}

# --- Auth -------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"
# unfold's login form drops ?next=, so land people on the back-office after login.
LOGIN_REDIRECT_URL = "/admin/"

# --- I18N / time ------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "var" / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)

# --- Business settings (read by the core's services) ------------------------------------------
GUEST_SERVICE_FEE_RATE = Decimal(env("GUEST_SERVICE_FEE_RATE", default="0.12"))
HOST_SERVICE_FEE_RATE = Decimal(env("HOST_SERVICE_FEE_RATE", default="0.03"))
BOOKING_PAYMENT_HOLD = timedelta(minutes=env.int("BOOKING_PAYMENT_HOLD_MINUTES", default=30))
BOOKING_REQUEST_TTL = timedelta(hours=env.int("BOOKING_REQUEST_TTL_HOURS", default=24))
REVIEW_WINDOW_DAYS = env.int("REVIEW_WINDOW_DAYS", default=14)
# How far ahead a stay may start (calendars, prices and policies are not set years out).
BOOKING_HORIZON_DAYS = env.int("BOOKING_HORIZON_DAYS", default=730)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

IDEMPOTENCY_KEY_TTL_HOURS = env.int("IDEMPOTENCY_KEY_TTL_HOURS", default=24)
# A request still "in progress" after this long died mid-way; its key may be used again.
IDEMPOTENCY_ABANDONED_SECONDS = env.int("IDEMPOTENCY_ABANDONED_SECONDS", default=300)

# --- Interfaces: each fragment belongs to one interface, composed here --------------------------
from .api import *  # noqa: E402, F403  REST, JWT, OpenAPI
from .backoffice import *  # noqa: E402, F403  django-unfold, import-export
from .graphql import *  # noqa: E402, F403  GraphQL
