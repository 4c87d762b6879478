"""Logging: structlog through the standard library (django-structlog).

- One line per request (`request_finished`: method and path, status `code`, `duration_ms`,
  `user_id`, `request_id`, client `ip` from common.network.client_ip), bound by
  django-structlog's RequestMiddleware; every other log line written during the request
  (Django's own "Internal Server Error" included) carries the same `request_id`.
- Celery tasks log their `task_id` and the `request_id` of the request that enqueued them
  (DJANGO_STRUCTLOG_CELERY_ENABLED, config.celery).
- LOG_FORMAT: `json` (one JSON object per line, production's default) or `console`
  (human-readable, development's default). LOG_LEVEL in any case.
"""

import environ
import structlog
from django.core.exceptions import ImproperlyConfigured

_env = environ.Env()

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

# Any case ("warning" made every gunicorn worker fail to boot); an unknown name stops the start
# with a message naming the setting.
LOG_LEVEL = _env("LOG_LEVEL", default="INFO").strip().upper()
if LOG_LEVEL not in LEVELS:
    raise ImproperlyConfigured(f"LOG_LEVEL={LOG_LEVEL!r} is not one of {', '.join(LEVELS)}.")

_SHARED = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def logging_config(level: str, fmt: str) -> dict:
    """The LOGGING dict for `fmt` ("json" or "console")."""
    if fmt not in ("json", "console"):
        raise ImproperlyConfigured(f"LOG_FORMAT={fmt!r} is not one of json, console.")
    renderer = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        # Plain tracebacks: rich's (the default when rich is installed) renders every frame's
        # locals, ~3 s per exception, and with Redis down each request logs several.
        else structlog.dev.ConsoleRenderer(
            colors=False, exception_formatter=structlog.dev.plain_traceback
        )
    )
    processors = [structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer]
    if fmt == "json":
        processors.insert(1, structlog.processors.dict_tracebacks)
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "structured": {
                "()": structlog.stdlib.ProcessorFormatter,
                "processors": processors,
                "foreign_pre_chain": _SHARED,
            }
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # django-structlog's request_finished line replaces Django's own access warnings
            # ("Not Found: ..."), which would log each 4xx twice; 5xx stay (with traceback).
            "django.request": {"level": "ERROR"},
            "django.server": {"level": "WARNING"},
        },
    }


structlog.configure(
    processors=[
        *_SHARED,
        structlog.processors.StackInfoRenderer(),
        structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
    ],
    logger_factory=structlog.stdlib.LoggerFactory(),
    wrapper_class=structlog.stdlib.BoundLogger,
    cache_logger_on_first_use=True,
)

LOG_FORMAT = _env("LOG_FORMAT", default="console")
LOGGING = logging_config(LOG_LEVEL, LOG_FORMAT)

DJANGO_STRUCTLOG_CELERY_ENABLED = True
# The address comes from common.network.client_ip (bound by common.request_logging), not from
# django-ipware's reading of X-Forwarded-For.
DJANGO_STRUCTLOG_IP_LOGGING_ENABLED = False
