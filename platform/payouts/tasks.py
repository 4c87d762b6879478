"""Thin Celery wrappers over the payout services (routed to the `payments` queue). Safe to run
twice: each service re-checks the payout's status under a lock, and the transfer carries an
idempotency key from our id."""

from celery import shared_task

from payments.models import Payout
from payments.providers import ProviderUnavailable

from . import services

MAX_RETRIES = 10


@shared_task(name="payouts.schedule")
def schedule_payouts() -> int:
    return len(services.payouts_schedule())


@shared_task(name="payouts.transfer", bind=True)
def transfer_payout(self, payout_id: str) -> str:
    payout = Payout.objects.filter(pk=payout_id).first()
    if payout is None:
        return "missing"
    try:
        return services.payout_execute(payout=payout).status
    except ProviderUnavailable as error:
        # Outcome unknown: ask again later with the same key. Eagerly run (no worker) or out of
        # retries, the payout stays approved and the recovery sweep comes back to it.
        if self.request.is_eager or self.request.retries >= MAX_RETRIES:
            return "unavailable"
        raise self.retry(exc=error, countdown=min(600, 5 * 2**self.request.retries)) from None
