"""Celery configuration: queues and routes, the shared task class, the recovery sweep."""

import pytest
from django.conf import settings

from config.celery import app


@pytest.mark.parametrize(
    ("task", "queue"),
    [
        ("notifications.send", "notifications"),
        ("listings.run_import_job", "imports"),
        ("payments.charge", "payments"),
        ("bookings.expire_stale", "default"),
        ("common.recovery_sweep", "default"),
    ],
)
def test_tasks_are_routed_to_their_queue(task, queue):
    route = app.amqp.router.route({}, task)
    assert route["queue"].name == queue
    assert set(app.amqp.queues) == {"payments", "notifications", "imports", "default"}


def test_every_task_retries_with_backoff_and_has_time_limits():
    app.loader.import_default_modules()
    ours = [t for name, t in app.tasks.items() if not name.startswith("celery.")]
    assert len(ours) >= 8
    for task in ours:
        assert task.max_retries and task.retry_backoff and task.retry_jitter, task.name
        assert 0 < task.soft_time_limit < task.time_limit, task.name
        assert ConnectionError in task.autoretry_for, task.name
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST


@pytest.mark.django_db
def test_the_recovery_sweep_runs_every_registered_sweep(settings):
    from common.tasks import recovery_sweep

    settings.RECOVERY_SWEEPS = [*settings.RECOVERY_SWEEPS, "common.tests.test_background.broken"]
    result = recovery_sweep.delay().get()
    assert set(result) == set(settings.RECOVERY_SWEEPS)
    assert result["common.tests.test_background.broken"] == -1  # logged; the others still ran
    assert result["notifications.services.notification_recover_stuck"] == 0
    assert result["listings.imports.listing_import_jobs_recover"] == 0
    assert result["payments.services.payments_recover_stuck"] == 0


def broken():
    raise RuntimeError("a sweep that fails")
