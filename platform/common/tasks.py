from celery import shared_task

from .idempotency import idempotency_purge_expired
from .recovery import recovery_sweep as run_recovery_sweep


@shared_task(name="common.purge_idempotency_keys")
def purge_idempotency_keys() -> int:
    return idempotency_purge_expired()


@shared_task(name="common.recovery_sweep", soft_time_limit=50, time_limit=58)
def recovery_sweep() -> dict:
    return run_recovery_sweep()
