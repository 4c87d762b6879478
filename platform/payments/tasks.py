"""Thin Celery wrappers over the payment services: load by id, call, done. Safe to run twice
(each service re-checks the record's status under a lock, and provider calls carry idempotency
keys derived from our ids). CELERY_TASK_ROUTES sends them to the `payments` queue; the task
class (common.background.StayBookTask) names the task as the actor in the audit history."""

from celery import shared_task

from . import services
from .models import Payment, Refund
from .providers import ProviderUnavailable

RELIABLE = {"acks_late": True, "reject_on_worker_lost": True, "bind": True}
MAX_RETRIES = 10


def _retry_later(task, error: ProviderUnavailable) -> str:
    """Back off exponentially (5 s .. 10 min). Run eagerly (no worker) or out of retries, leave
    the record as it is: `payments_recover_stuck` comes back to it."""
    if task.request.is_eager or task.request.retries >= MAX_RETRIES:
        return "unavailable"
    raise task.retry(exc=error, countdown=min(600, 5 * 2**task.request.retries))


@shared_task(name="payments.execute_payment", **RELIABLE)
def execute_payment(self, payment_id: str) -> str:
    payment = Payment.objects.filter(pk=payment_id).first()
    if payment is None:
        return "missing"
    try:
        return services.payment_execute(payment=payment).status
    except ProviderUnavailable as error:
        return _retry_later(self, error)


@shared_task(name="payments.send_refund", **RELIABLE)
def send_refund(self, refund_id: str) -> str:
    refund = Refund.objects.filter(pk=refund_id).first()
    if refund is None:
        return "missing"
    try:
        return services.refund_execute(refund=refund).status
    except ProviderUnavailable as error:
        return _retry_later(self, error)
