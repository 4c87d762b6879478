"""The Celery application. Workers start with `celery -A config worker`, beat with
`celery -A config beat` (see the Procfile). Configuration lives in settings (CELERY_*)."""

import os

from celery import Celery
from celery.signals import beat_init, setup_logging
from django_structlog.celery.steps import DjangoStructLogInitStep

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

# Every task gets common.background.StayBookTask: retries with backoff, time limits, actor.
app = Celery("staybook", task_cls="common.background:StayBookTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Task log lines carry the task id and the request id of the request that enqueued the task.
app.steps["worker"].add(DjangoStructLogInitStep)


@setup_logging.connect
def logging_from_settings(**kwargs):
    """Workers and beat log like the web server (settings.LOGGING: structlog, one JSON object per
    line in production) instead of Celery's own format, which printed structlog's events as
    Python dicts; so a task's lines carry `task_id` and the enqueuing request's `request_id` as
    fields a log collector can search."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)


@beat_init.connect
def refresh_dashboard_on_start(sender=None, **kwargs):
    """A deploy (re)starts beat: store fresh dashboard figures now rather than one interval
    later, so no person's request is ever the first to compute them."""
    app.send_task("bookings.refresh_dashboard")
