"""What every Celery task shares, and the one way to enqueue work from a service.

- `StayBookTask` (the app's task class, so every `@shared_task` gets it): transient failures
  (database or broker connection errors) are retried with exponential backoff, jitter and a
  maximum; soft and hard time limits; the audit history names the task as the actor of what it
  changes (`system:<task name>`), unless the task names someone else inside.
- `enqueue_on_commit(task, ...)`: the message is sent only once the surrounding transaction has
  committed (a worker never sees a row that is not there yet), and a broker that cannot be
  reached is logged, not raised: the database row that describes the work is already
  committed, and the minute-by-minute recovery sweep (`common.recovery_sweep`) re-dispatches it.
"""

from __future__ import annotations

import logging
import random

from celery import Task
from django.db import transaction

logger = logging.getLogger(__name__)

# Exceptions worth retrying: the database or the broker was briefly unreachable. Everything else
# is a bug or a refusal, and retrying it would only repeat it.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (ConnectionError, TimeoutError)
try:  # the database driver's and kombu's connection errors
    from django.db import InterfaceError, OperationalError
    from kombu.exceptions import OperationalError as BrokerError

    TRANSIENT_ERRORS += (OperationalError, InterfaceError, BrokerError)
except ImportError:  # pragma: no cover
    pass


class StayBookTask(Task):
    autoretry_for = TRANSIENT_ERRORS
    max_retries = 5
    retry_backoff = 2  # 2, 4, 8, 16, 32 s ... (with full jitter)
    retry_backoff_max = 300
    retry_jitter = True
    soft_time_limit = 120
    time_limit = 150

    def __call__(self, *args, **kwargs):
        from common.actor import acting_as

        with acting_as(self.name):
            return super().__call__(*args, **kwargs)


def backoff_seconds(attempt: int, *, base: float = 30.0, cap: float = 3600.0) -> float:
    """Exponential backoff with full jitter for retries scheduled in the database (outbox rows):
    attempt 1 waits up to 30 s, 2 up to 60 s, ... never more than `cap`."""
    return random.uniform(base / 2, min(cap, base * 2 ** max(attempt - 1, 0)))


def enqueue_on_commit(task, *args, using: str | None = None, **kwargs) -> None:
    """Send `task(*args, **kwargs)` after the current transaction commits (at once outside one).
    Never raises for a broker outage: the work is recorded in the database and the recovery
    sweep picks it up."""

    def send():
        if task.app.conf.task_always_eager:
            task.apply_async(args=args, kwargs=kwargs)
            return
        try:
            task.apply_async(args=args, kwargs=kwargs, retry=False)
        except Exception:  # the broker is down: the recovery sweep will re-dispatch the work
            logger.warning(
                "Could not enqueue %s; the recovery sweep will pick it up.",
                task.name,
                exc_info=True,
            )

    transaction.on_commit(send, using=using)
