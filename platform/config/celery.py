"""The Celery application. Workers start with `celery -A config worker`, beat with
`celery -A config beat` (see the Procfile). Configuration lives in settings (CELERY_*)."""

import os

from celery import Celery
from django_structlog.celery.steps import DjangoStructLogInitStep

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

# Every task gets common.background.StayBookTask: retries with backoff, time limits, actor.
app = Celery("staybook", task_cls="common.background:StayBookTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Task log lines carry the task id and the request id of the request that enqueued the task.
app.steps["worker"].add(DjangoStructLogInitStep)
