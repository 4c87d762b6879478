from celery import shared_task

from .actor import acting_as
from .idempotency import idempotency_purge_expired


@shared_task(name="common.purge_idempotency_keys")
def purge_idempotency_keys() -> int:
    with acting_as("purge_idempotency_keys"):
        return idempotency_purge_expired()
