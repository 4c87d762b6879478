"""Settings shared by every environment. Everything comes from the environment (12-factor).

With no configuration at all the project runs on an embedded default: SQLite, a local-memory
cache and a Celery broker in files under var/celery. Set DATABASE_URL and REDIS_URL to use
PostgreSQL and Redis.
"""

import contextlib
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
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and ReDoc files, served as our own static files
    "graphene_django",
    "import_export",
    "simple_history",
    "axes",
    "django_structlog",
    "csp",
    # the core
    "common",
    "accounts",
    "listings",
    "calendars",
    "bookings",
    "reviews",
    "payments",
    "ledger",
    "payouts",
    "audit",
    "messaging",
    "wishlists",
    "demo",
    "notifications",
    # the interfaces
    "backoffice",
    "public_api",
]

MIDDLEWARE = [
    # Outermost: a request id for every log line and the X-Request-ID header (django-structlog),
    # then the APIs' errors as JSON whatever raised them (public_api.middleware).
    "django_structlog.middlewares.RequestMiddleware",
    "public_api.middleware.ApiErrorMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "common.actor.ActorMiddleware",
    # Last, as django-axes asks: turns a back-office login refused by the lockout into a 429.
    "axes.middleware.AxesMiddleware",
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
    # `make run` has three processes on this file (web, worker, beat). WAL lets readers go on
    # while one writes (the default journal blocks every reader during a write); a writer that
    # finds the lock taken waits up to `timeout` seconds instead of failing at once;
    # synchronous=NORMAL is the setting SQLite recommends with WAL (durable at checkpoints).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Behind PgBouncer in transaction mode (docs/scaling.md): a server-side cursor would
    # outlive the transaction that owns its server connection.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool(
        "DISABLE_SERVER_SIDE_CURSORS", default=False
    )

# Optional read replica (docs/scaling.md): search, listing pages, public reviews and the
# dashboard read from it; writes, and a client's reads right after its own writes, use the
# primary (common.replicas).
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    for _option in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS", "DISABLE_SERVER_SIDE_CURSORS"):
        if _option in DATABASES["default"]:
            DATABASES["replica"][_option] = DATABASES["default"][_option]
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["common.replicas.ReplicaRouter"]
REPLICA_READ_VIEWS = env.list(
    "REPLICA_READ_VIEWS",
    default=["api:listing-list", "api:listing-detail", "api:listing-reviews", "admin:index"],
)
# How long a client reads from the primary after writing: the replica lag you accept.
REPLICA_PIN_SECONDS = env.int("REPLICA_PIN_SECONDS", default=10)

# --- Cache and sessions ---------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="staybook"),
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                # Redis lost, product up: a cache error is a miss (reads go to the database),
                # throttles fail open, sessions fall back to the database; each one is logged.
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": env.float("REDIS_CONNECT_TIMEOUT", default=0.5),
                "SOCKET_TIMEOUT": env.float("REDIS_TIMEOUT", default=1.0),
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    # Sessions are read from Redis and written through to the database (survive a flush, and
    # a Redis outage: with the cache down they are read from the database).
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# The read cache (common.cache, listings.cache): how long an entry stays fresh, in seconds.
# Writes invalidate at once (versioned keys); these bound the life of what nothing invalidates.
READ_CACHE_ENABLED = env.bool("READ_CACHE_ENABLED", default=True)
READ_CACHE_SECONDS = {
    "listing": env.int("CACHE_LISTING_SECONDS", default=300),
    "search": env.int("CACHE_SEARCH_SECONDS", default=60),
    "calendar": env.int("CACHE_CALENDAR_SECONDS", default=300),
    "dashboard": env.int("CACHE_DASHBOARD_SECONDS", default=300),
}

# --- Celery -----------------------------------------------------------------------------------
# With REDIS_URL the broker is Redis. Without it (the embedded default) the broker is kombu's
# filesystem transport under var/celery: `make run` still starts a real worker and beat, with
# nothing to install. The test suite runs tasks eagerly (config.settings.test) except the
# integration tests, which start real workers.
CELERY_DIR = Path(env("CELERY_DIR", default=str(BASE_DIR / "var" / "celery")))
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_DIR / "queue"),
        "data_folder_out": str(CELERY_DIR / "queue"),
        "control_folder": str(CELERY_DIR / "control"),
        "store_processed": False,
    }
    # kombu expects the folders to exist; in a read-only tree publishing fails (logged) and
    # the recovery sweep re-dispatches the work once a worker can run.
    for _folder in ("queue", "control"):
        with contextlib.suppress(OSError):
            (CELERY_DIR / _folder).mkdir(parents=True, exist_ok=True)
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # An unacknowledged message (worker killed) is redelivered after this; the recovery
        # sweep usually re-dispatches the work long before.
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
        # Connecting for a publish gives up after one quick retry (kombu's default waits ~6 s
        # per publish while Redis is down, inside the request); the work is in the database
        # and the recovery sweep sends it. Workers reconnect on their own schedule.
        "max_retries": 1,
        "interval_start": 0,
        "interval_step": 0.2,
        "interval_max": 0.5,
    }
# Nothing reads task results: the database records every outcome.
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "UTC"
# A message is acknowledged after its task ran; a worker that dies mid-task gives it back (every
# task is safe to run twice).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing while the broker is down fails fast; the caller logs it and the sweep recovers.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5}
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = {name: {} for name in ("payments", "notifications", "imports", "default")}
CELERY_TASK_ROUTES = {
    "payments.*": {"queue": "payments"},
    "ledger.*": {"queue": "payments"},
    "payouts.*": {"queue": "payments"},
    "notifications.*": {"queue": "notifications"},
    "listings.run_import_job": {"queue": "imports"},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(CELERY_DIR / "beat-schedule")
# Housekeeping run by beat; each task is a thin wrapper over a core service.
CELERY_BEAT_SCHEDULE = {
    "expire-stale-bookings": {"task": "bookings.expire_stale", "schedule": 60.0},
    "complete-finished-stays": {"task": "bookings.complete_finished", "schedule": 15 * 60.0},
    "send-due-notifications": {"task": "notifications.send_due", "schedule": 60.0},
    "notify-new-messages": {"task": "messaging.notify_new_messages", "schedule": 60.0},
    "sync-channel-feeds": {"task": "calendars.sync_channel_feeds", "schedule": 5 * 60.0},
    "recovery-sweep": {"task": "common.recovery_sweep", "schedule": 60.0},
    "refresh-ratings": {"task": "reviews.refresh_ratings", "schedule": 6 * 3600.0},
    "refresh-dashboard": {"task": "bookings.refresh_dashboard", "schedule": 5 * 60.0},
    "purge-idempotency-keys": {"task": "common.purge_idempotency_keys", "schedule": 3600.0},
    "flush-expired-sessions": {"task": "accounts.flush_expired_sessions", "schedule": 86400.0},
    "flush-expired-tokens": {"task": "accounts.flush_expired_tokens", "schedule": 86400.0},
    "schedule-payouts": {"task": "payouts.schedule", "schedule": 3600.0},
}
# The recovery sweep (every minute) calls each of these: re-dispatch work stuck in an
# intermediate state (the database says what is owed; the broker only carries reminders).
RECOVERY_SWEEPS = [
    "notifications.services.notification_recover_stuck",
    "listings.imports.listing_import_jobs_recover",
    "listings.photos.listing_photo_renditions_recover",
    # payments still processing / refunds still pending after PAYMENT_STUCK_AFTER
    "payments.services.payments_recover_stuck",
    # refunds refused for a reason that may pass (REFUND_RETRYABLE_FAILURES), a few times
    "payments.services.refunds_retry_failed",
    "payouts.services.payouts_recover_stuck",
]

# --- Email ------------------------------------------------------------------------------------
# EMAIL_URL in django-environ's form: smtp://user:password@host:port, smtp+tls://...,
# consolemail:// (the default: printed by the worker), dummymail://.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="StayBook <no-reply@staybook.example>")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
# Absolute links in emails.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=8)
# A row claimed for sending this long ago and held by no live sender (PostgreSQL: its row lock
# is gone) belongs to a worker that died: the recovery sweep releases it and it is sent again.
NOTIFICATION_CLAIM_TIMEOUT_SECONDS = env.int("NOTIFICATION_CLAIM_TIMEOUT_SECONDS", default=300)
# Channel sync (calendars.channels): how often each feed is fetched, and the fetch's limits.
CHANNEL_SYNC_INTERVAL_MINUTES = env.int("CHANNEL_SYNC_INTERVAL_MINUTES", default=30)
CHANNEL_SYNC_TIMEOUT_SECONDS = env.float("CHANNEL_SYNC_TIMEOUT_SECONDS", default=10.0)
CHANNEL_SYNC_MAX_BYTES = env.int("CHANNEL_SYNC_MAX_BYTES", default=2_000_000)
# A new message is emailed once its sender has been quiet this long (quick messages: one email).
MESSAGE_NOTIFY_DELAY_MINUTES = env.int("MESSAGE_NOTIFY_DELAY_MINUTES", default=5)

# --- Auth -------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes counts failed logins (REST, GraphQL tokenAuth and /admin/login/ all go through
# django.contrib.auth.authenticate) per account and, separately, per client address; either
# reaching the limit refuses every login of that account / from that address until the
# cool-off ends or staff delete the lock (back-office: Security > Login lockouts). Unknown
# accounts are counted and locked like real ones, so the answers never tell them apart.
AUTHENTICATION_BACKENDS = [
    "accounts.authentication.LockoutBackend",  # axes' check, first
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_CALLABLE = "accounts.authentication.login_identity"
AXES_CLIENT_IP_CALLABLE = "common.network.client_ip"
AXES_LOCKOUT_CALLABLE = "backoffice.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = False  # a success from one address must not clear another's failures
# The cool-off runs from the last counted failure; tries during it do not extend it (or an
# attacker could keep a victim's account locked for ever at one request per cool-off).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_ENABLE_ADMIN = False  # the back-office registers its own lockout admin
AXES_VERBOSE = False
# The page of the client app that receives the reset link ({uid} and {token} filled in); it
# posts them with the new password to /api/v1/auth/password/reset/confirm/.
PASSWORD_RESET_URL = env(
    "PASSWORD_RESET_URL", default=f"{SITE_URL}/reset-password?uid={{uid}}&token={{token}}"
)
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT_SECONDS", default=3600 * 3)
LOGIN_URL = "admin:login"
# unfold's login form drops ?next=, so land people on the back-office after login.
LOGIN_REDIRECT_URL = "/admin/"

# --- Security headers and cookies -------------------------------------------------------------
# Content-Security-Policy (django-csp) on every HTML page: the back-office and the API docs load
# everything from this site (nothing from a CDN), nobody may frame them, forms post only here.
# unfold's Alpine.js evaluates its x-data expressions ('unsafe-eval'), and unfold and Swagger
# UI set inline styles; no page runs an inline <script> (Swagger UI's initialiser is served as a
# file by SpectacularSwaggerSplitView). The browser tests fail on any CSP violation.
from csp.constants import NONE, SELF, UNSAFE_EVAL, UNSAFE_INLINE  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, UNSAFE_EVAL],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "worker-src": [SELF, "blob:"],  # ReDoc renders in a web worker
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# A back-office session lasts a working day, not Django's two weeks.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE_SECONDS", default=12 * 3600)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

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
# Source maps (Swagger UI's and ReDoc's, several MB) are read by a developer's browser tools
# only: collectstatic does not spend a minute compressing them.
from whitenoise.compress import Compressor  # noqa: E402

WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
# Listing photos (listings.photos): bytes of one upload, and decoded size.
LISTING_PHOTO_MAX_BYTES = env.int("LISTING_PHOTO_MAX_BYTES", default=10_000_000)
LISTING_PHOTO_MAX_PIXELS = env.int("LISTING_PHOTO_MAX_PIXELS", default=40_000_000)
# Media on an S3-compatible store (django-storages) when a bucket is named; else MEDIA_ROOT.
if env("AWS_STORAGE_BUCKET_NAME", default=""):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env("AWS_S3_REGION_NAME", default=None),
            "custom_domain": env("AWS_S3_CUSTOM_DOMAIN", default=None),
            "querystring_auth": env.bool("AWS_QUERYSTRING_AUTH", default=False),
            "file_overwrite": False,
            "default_acl": None,
        },
    }

# --- Business settings (read by the core's services) ------------------------------------------
GUEST_SERVICE_FEE_RATE = Decimal(env("GUEST_SERVICE_FEE_RATE", default="0.12"))
HOST_SERVICE_FEE_RATE = Decimal(env("HOST_SERVICE_FEE_RATE", default="0.03"))
BOOKING_PAYMENT_HOLD = timedelta(minutes=env.int("BOOKING_PAYMENT_HOLD_MINUTES", default=30))
BOOKING_REQUEST_TTL = timedelta(hours=env.int("BOOKING_REQUEST_TTL_HOURS", default=24))
REVIEW_WINDOW_DAYS = env.int("REVIEW_WINDOW_DAYS", default=14)
# A stay is paid out this long after its check-in day began (the listing's time zone).
PAYOUT_DELAY = timedelta(hours=env.int("PAYOUT_DELAY_HOURS", default=24))
# An approved payout not settled after this long is sent again by the recovery sweep.
PAYOUT_STUCK_AFTER = timedelta(minutes=env.int("PAYOUT_STUCK_AFTER_MINUTES", default=10))
# How far ahead a stay may start (calendars, prices and policies are not set years out).
BOOKING_HORIZON_DAYS = env.int("BOOKING_HORIZON_DAYS", default=730)

# --- Payments ---------------------------------------------------------------------------------
# "simulated" (default: offline, deterministic, its own records) or "stripe".
PAYMENT_PROVIDER = env("PAYMENT_PROVIDER", default="simulated")
STRIPE_API_KEY = env("STRIPE_API_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env("STRIPE_API_BASE", default="")  # empty: Stripe's own API
# The SDK retries network failures with the same idempotency key, which is safe.
STRIPE_MAX_NETWORK_RETRIES = env.int("STRIPE_MAX_NETWORK_RETRIES", default=2)
# The simulated provider signs its events like Stripe, with this secret (not a real secret).
SIMULATED_WEBHOOK_SECRET = env("SIMULATED_WEBHOOK_SECRET", default="whsec_simulated_staybook")
# Webhooks signed longer ago than this are refused (replay protection), as Stripe advises.
PAYMENT_WEBHOOK_TOLERANCE_SECONDS = env.int("PAYMENT_WEBHOOK_TOLERANCE_SECONDS", default=300)
# A payment still processing after this long is re-checked by the recovery sweep.
PAYMENT_STUCK_AFTER = timedelta(minutes=env.int("PAYMENT_STUCK_AFTER_MINUTES", default=10))
# A refund the provider refused for one of these reasons is retried by the recovery sweep this
# long after it failed, at most REFUND_MAX_AUTO_RETRIES times (Stripe's insufficient_funds: the
# platform balance was too low then); any other refusal waits for staff, who are alerted.
REFUND_RETRYABLE_FAILURES = env.list(
    "REFUND_RETRYABLE_FAILURES", default=["insufficient_funds", "processing_error", "unknown"]
)
REFUND_RETRY_AFTER = timedelta(minutes=env.int("REFUND_RETRY_AFTER_MINUTES", default=60))
REFUND_MAX_AUTO_RETRIES = env.int("REFUND_MAX_AUTO_RETRIES", default=3)

from .logs import *  # noqa: E402, F403  structured logs (LOG_LEVEL, LOG_FORMAT)

IDEMPOTENCY_KEY_TTL_HOURS = env.int("IDEMPOTENCY_KEY_TTL_HOURS", default=24)
# A request still "in progress" after this long died mid-way; its key may be used again.
IDEMPOTENCY_ABANDONED_SECONDS = env.int("IDEMPOTENCY_ABANDONED_SECONDS", default=300)

# --- Interfaces: each fragment belongs to one interface, composed here --------------------------
from .api import *  # noqa: E402, F403  REST, JWT, OpenAPI
from .backoffice import *  # noqa: E402, F403  django-unfold, import-export
from .graphql import *  # noqa: E402, F403  GraphQL

# Innermost: it decides per view whether reads may use the replica (common.replicas).
MIDDLEWARE += ["common.replicas.ReplicaMiddleware"]  # noqa: F405

# --- Observability: Prometheus metrics at /metrics (common.metrics), Sentry with SENTRY_DSN ----
INSTALLED_APPS += ["django_prometheus"]  # noqa: F405
MIDDLEWARE = [  # first and last, so the timings cover every other middleware
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    *MIDDLEWARE,  # noqa: F405
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]
# A scraper outside the deployment sends "Authorization: Bearer <METRICS_TOKEN>".
METRICS_TOKEN = env("METRICS_TOKEN", default="")

from config.sentry import init_sentry  # noqa: E402

SENTRY_ENABLED = init_sentry(env)
