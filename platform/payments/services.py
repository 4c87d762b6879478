"""Paying bookings and refunding them.

The pattern, for every provider call: commit our intent first (a `processing` payment, a
`pending` refund), call the provider outside any transaction with an idempotency key derived
from that record, then record the outcome in one transaction (status, ledger entry, booking).
A crash between the steps leaves a record that `payments_recover_stuck` finds and completes by
calling again with the same key, which the provider answers without charging twice.
"""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.models import User
from bookings.models import Booking, BookingStatus
from bookings.services import booking_cancel, booking_mark_paid
from common.actor import acting_as, attributed_to
from common.background import enqueue_on_commit
from common.errors import DomainError, NotFound, NotPermitted, ValidationFailed
from common.money import money
from common.pause_points import pause_point
from common.text import max_length, text_within
from ledger.services import entry_post_payment, entry_post_refund

from . import signals
from .errors import PaymentErrorCode
from .models import Payment, Refund
from .providers import (
    ChargeRequest,
    OperationResult,
    ProviderUnavailable,
    RefundRequest,
    provider_get,
)

log = logging.getLogger(__name__)

MAX_METHOD_LENGTH = 255
REASON_MAX_LENGTH = max_length(Refund, "reason")


# --- paying -----------------------------------------------------------------------------------


@attributed_to("actor")
def booking_pay(
    *, actor: User, booking: Booking, payment_method: str, idempotency_key: str = ""
) -> Payment:
    """Charge the booking's total to `payment_method`. Returns the payment: succeeded (the
    booking is confirmed), failed (still payable) or, if the provider's answer is not known yet,
    processing (a task finishes it)."""
    payment = payment_start(
        actor=actor,
        booking=booking,
        payment_method=payment_method,
        idempotency_key=idempotency_key,
    )
    try:
        return payment_execute(payment=payment)
    except ProviderUnavailable as error:
        log.warning("payment %s: provider unavailable (%s); a task retries", payment.pk, error)
        payment_dispatch(payment=payment)
        return payment


def payment_start(
    *, actor: User, booking: Booking, payment_method: str, idempotency_key: str = ""
) -> Payment:
    """Commit a `processing` payment: the intent, before any provider call."""
    method = (payment_method or "").strip()
    if not method or len(method) > MAX_METHOD_LENGTH:
        raise ValidationFailed(
            "payment_method_invalid", "A payment method id is required.", "payment_method"
        )
    try:
        with transaction.atomic():
            booking = Booking.objects.select_for_update(of=("self",)).get(pk=booking.pk)
            if booking.guest_id != getattr(actor, "pk", None):
                raise NotFound()
            _require_payable(booking)
            return Payment.objects.create(
                booking=booking,
                amount=booking.total,
                currency=booking.currency,
                payment_method=method,
                provider=settings.PAYMENT_PROVIDER,
                idempotency_key=(idempotency_key or "")[:255],
            )
    except IntegrityError:  # the partial unique index settled a race our lock did not see
        raise _in_progress() from None


def _require_payable(booking: Booking) -> None:
    payments = booking.payments.all()
    if payments.filter(status=Payment.Status.SUCCEEDED).exists():
        raise DomainError("already_paid", "This booking is already paid.")
    if payments.filter(status=Payment.Status.PROCESSING).exists():
        raise _in_progress()
    if booking.status != BookingStatus.PENDING_PAYMENT:
        label = booking.get_status_display().lower()
        raise DomainError("not_payable", f"A {label} booking cannot be paid.")
    if booking.expires_at is not None and booking.expires_at <= timezone.now():
        raise DomainError("booking_expired", "This booking's time to pay ran out.")


def _in_progress() -> DomainError:
    return DomainError("payment_in_progress", "A payment of this booking is being processed.")


def payment_execute(*, payment: Payment) -> Payment:
    """Ask the provider (outside any transaction) and record its answer. Raises
    ProviderUnavailable when the outcome is unknown: the payment stays processing."""
    if payment.status != Payment.Status.PROCESSING:
        return payment
    result = provider_get(payment.provider).charge(_charge_request(payment))
    # The worst moment to die: charged at the provider, not recorded here. The integration
    # test kills a worker here (test-only hook, inert outside config.settings.test).
    pause_point("payment_charged")
    return payment_record_result(payment=payment, result=result)


def _charge_request(payment: Payment) -> ChargeRequest:
    booking_id = str(payment.booking_id)
    return ChargeRequest(
        amount=payment.amount,
        currency=payment.currency,
        payment_method=payment.payment_method,
        idempotency_key=payment.provider_idempotency_key,
        metadata={"payment_id": str(payment.pk), "booking_id": booking_id},
        description=f"StayBook booking {booking_id}",
    )


def payment_dispatch(*, payment: Payment) -> None:
    from .tasks import execute_payment

    enqueue_on_commit(execute_payment, str(payment.pk))


@transaction.atomic
def payment_record_result(*, payment: Payment, result: OperationResult) -> Payment:
    """Record the provider's answer once: a later duplicate (webhook, retry) changes nothing."""
    Booking.objects.select_for_update(of=("self",)).filter(pk=payment.booking_id).first()
    payment = (
        Payment.objects.select_related("booking__listing")
        .select_for_update(of=("self",))
        .get(pk=payment.pk)
    )
    if payment.status != Payment.Status.PROCESSING:
        return payment
    payment.provider_reference = result.reference or payment.provider_reference
    if result.succeeded:
        _payment_succeed(payment)
    else:
        _payment_fail(payment, result)
    return payment


def _payment_succeed(payment: Payment) -> None:
    booking = payment.booking
    confirmed = True
    try:
        # While this payment is processing the hold cannot lapse; confirm before marking it.
        with transaction.atomic():
            payment.booking = booking_mark_paid(booking=booking, amount=payment.amount)
    except DomainError as error:
        confirmed = False
        log.warning("payment %s succeeded on an unconfirmable booking: %s", payment.pk, error)
    payment.status = Payment.Status.SUCCEEDED
    payment.succeeded_at = timezone.now()
    payment.save()
    entry_post_payment(payment=payment)
    if confirmed:
        signals.payment_succeeded.send(sender=Payment, payment=payment)
        return
    refund = refund_create(
        payment=payment,
        amount=payment.amount,
        kind=Refund.Kind.UNCONFIRMABLE,
        reason="The booking could no longer be confirmed (its hold lapsed or it was cancelled).",
    )
    signals.payment_refunded_unconfirmable.send(sender=Payment, payment=payment, refund=refund)


def _payment_fail(payment: Payment, result: OperationResult) -> None:
    payment.status = Payment.Status.FAILED
    payment.failure_code = (result.failure_code or "payment_failed")[:64]
    payment.failure_message = (result.failure_message or "The payment failed.")[:500]
    payment.failed_at = timezone.now()
    payment.save()
    signals.payment_failed.send(sender=Payment, payment=payment)


# --- refunding --------------------------------------------------------------------------------


def payment_refundable(payment: Payment) -> Decimal:
    """What may still be refunded: the payment less its refunds that did not fail."""
    if payment.status != Payment.Status.SUCCEEDED:
        return Decimal("0.00")
    taken = payment.refunds.exclude(status=Refund.Status.FAILED).aggregate(total=Sum("amount"))
    return money(payment.amount - (taken["total"] or 0))


def refund_create(
    *,
    payment: Payment,
    amount: Decimal,
    kind: str,
    reason: str = "",
    actor: User | None = None,
    retry_of: Refund | None = None,
) -> Refund:
    """Write a pending refund in the caller's transaction; a task sends it after commit."""
    reason = text_within(reason, limit=REASON_MAX_LENGTH, field="reason")
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        amount = money(amount)
        if amount <= 0:
            raise ValidationFailed("refund_amount_invalid", "Refund more than zero.", "amount")
        if amount > payment_refundable(payment):
            raise ValidationFailed(
                "refund_exceeds_refundable",
                f"At most {payment_refundable(payment)} {payment.currency} can be refunded.",
                "amount",
            )
        refund = Refund.objects.create(
            payment=payment,
            amount=amount,
            kind=kind,
            reason=reason,
            requested_by=actor if getattr(actor, "is_authenticated", False) else None,
            retry_of=retry_of,
        )
    refund_dispatch(refund=refund)
    return refund


def refund_dispatch(*, refund: Refund) -> None:
    from .tasks import send_refund

    enqueue_on_commit(send_refund, str(refund.pk))


def refund_execute(*, refund: Refund) -> Refund:
    """Send a pending refund to the provider and record the answer."""
    refund = Refund.objects.select_related("payment").get(pk=refund.pk)
    if refund.status != Refund.Status.PENDING:
        return refund
    payment = refund.payment
    result = provider_get(payment.provider).refund(
        RefundRequest(
            charge_reference=payment.provider_reference,
            amount=refund.amount,
            currency=payment.currency,
            idempotency_key=refund.provider_idempotency_key,
            metadata={
                "refund_id": str(refund.pk),
                "payment_id": str(payment.pk),
                "booking_id": str(payment.booking_id),
            },
        )
    )
    return refund_record_result(refund=refund, result=result)


@transaction.atomic
def refund_record_result(*, refund: Refund, result: OperationResult) -> Refund:
    payment = Payment.objects.select_for_update().get(pk=refund.payment_id)
    refund = Refund.objects.select_for_update().get(pk=refund.pk)
    if refund.status != Refund.Status.PENDING:
        return refund
    refund.provider_reference = result.reference or refund.provider_reference
    if result.succeeded:
        already = payment.refunds.filter(status=Refund.Status.SUCCEEDED).aggregate(
            total=Sum("amount")
        )["total"] or Decimal("0")
        refund.status, refund.succeeded_at = Refund.Status.SUCCEEDED, timezone.now()
        refund.save()
        entry_post_refund(refund=refund, already_refunded=already)
        signals.refund_succeeded.send(sender=Refund, refund=refund)
    else:
        refund.status, refund.failed_at = Refund.Status.FAILED, timezone.now()
        refund.failure_code = (result.failure_code or "refund_failed")[:64]
        refund.failure_message = (result.failure_message or "The refund failed.")[:500]
        refund.save()
        signals.refund_failed.send(sender=Refund, refund=refund)
    return refund


@attributed_to("actor")
def booking_cancel_with_refund(
    *, booking: Booking, actor: User, reason: str = "", now: datetime | None = None
) -> Booking:
    """Cancel (the booking engine's rules) and, if the policy refunds something of a paid
    booking, create the refund in the same transaction."""
    with transaction.atomic():
        booking = booking_cancel(booking=booking, actor=actor, reason=reason, now=now)
        payment = booking.payments.filter(status=Payment.Status.SUCCEEDED).first()
        amount = min(
            booking.refund_amount or Decimal(0),
            payment_refundable(payment) if payment else Decimal(0),
        )
        if payment is not None and amount > 0:
            refund_create(
                payment=payment,
                amount=amount,
                kind=Refund.Kind.CANCELLATION,
                reason=f"Cancellation ({booking.cancellation_policy} policy)",
                actor=actor,
            )
        return booking


@attributed_to("actor")
def refund_goodwill(*, actor: User, payment: Payment, amount: Decimal, reason: str) -> Refund:
    """Staff give money back beyond the policy, up to what is still refundable."""
    if not (actor and actor.is_staff and actor.has_perm("payments.add_refund")):
        raise NotPermitted("Only staff may issue goodwill refunds.")
    if not (reason or "").strip():
        raise ValidationFailed("reason_required", "Say why the refund is given.", "reason")
    if payment.status != Payment.Status.SUCCEEDED:
        raise DomainError("payment_not_refundable", "Only a succeeded payment can be refunded.")
    return refund_create(
        payment=payment, amount=amount, kind=Refund.Kind.GOODWILL, reason=reason, actor=actor
    )


@attributed_to("actor")
def refund_retry(*, actor: User, refund: Refund) -> Refund:
    """Staff send a failed refund again (after fixing its cause, or when the provider's refusal
    was temporary): a new pending refund of the same amount, linked to the failed one, sent by a
    task after commit with a new idempotency key (the provider would answer the old key with
    the old failure). A failed refund is retried once; a retry that fails can be retried."""
    if not (actor and actor.is_active and actor.is_staff and actor.has_perm("payments.add_refund")):
        raise NotPermitted("Only staff may retry refunds.")
    return _refund_retry(refund=refund, actor=actor)


def _refund_retry(*, refund: Refund, actor: User | None = None) -> Refund:
    with transaction.atomic():
        refund = Refund.objects.select_for_update().get(pk=refund.pk)
        if refund.status != Refund.Status.FAILED:
            raise DomainError(
                PaymentErrorCode.REFUND_NOT_FAILED,
                f"Only a failed refund can be retried; this one is {refund.status}.",
            )
        if Refund.objects.filter(retry_of=refund).exists():
            raise DomainError(
                PaymentErrorCode.REFUND_ALREADY_RETRIED, "This refund was already retried."
            )
        return refund_create(
            payment=refund.payment,
            amount=refund.amount,
            kind=refund.kind,
            reason=refund.reason,
            actor=actor,
            retry_of=refund,
        )


def _retries_before(refund: Refund) -> int:
    count, current = 0, refund
    while current.retry_of_id is not None:
        count += 1
        current = Refund.objects.only("retry_of").get(pk=current.retry_of_id)
    return count


def refunds_retry_failed(*, now: datetime | None = None) -> int:
    """Recovery sweep: a refund the provider refused for a reason that may pass
    (REFUND_RETRYABLE_FAILURES, e.g. Stripe's insufficient_funds: the platform balance was too
    low) is retried by itself REFUND_RETRY_AFTER after it failed, at most REFUND_MAX_AUTO_RETRIES
    times along its chain; any other failure waits for staff (`refund_retry`), who were alerted.
    Returns how many retries were created."""
    cutoff = (now or timezone.now()) - settings.REFUND_RETRY_AFTER
    failed = Refund.objects.filter(
        status=Refund.Status.FAILED,
        failed_at__lte=cutoff,
        retried_by__isnull=True,
        failure_code__in=settings.REFUND_RETRYABLE_FAILURES,
    )
    retried = 0
    for refund in failed:
        if _retries_before(refund) >= settings.REFUND_MAX_AUTO_RETRIES:
            continue
        try:
            with acting_as("payments.refunds_retry_failed"):
                _refund_retry(refund=refund)
        except DomainError as error:  # retried meanwhile, or nothing left to refund
            log.info("refund %s not retried: %s", refund.pk, error)
            continue
        retried += 1
    return retried


# --- recovery ---------------------------------------------------------------------------------


def payments_recover_stuck(*, now: datetime | None = None) -> int:
    """Re-dispatch payments still processing and refunds still pending after
    PAYMENT_STUCK_AFTER (a lost task, a dead worker, a provider outage). Safe to run often:
    the provider answers a repeated idempotency key with its first answer. Returns how many.
    Listed in settings.RECOVERY_SWEEPS (the recovery sweep runs it every minute)."""
    cutoff = (now or timezone.now()) - settings.PAYMENT_STUCK_AFTER
    payments = list(
        Payment.objects.filter(status=Payment.Status.PROCESSING, created_at__lte=cutoff)
    )
    refunds = list(Refund.objects.filter(status=Refund.Status.PENDING, created_at__lte=cutoff))
    for payment in payments:
        payment_dispatch(payment=payment)
    for refund in refunds:
        refund_dispatch(refund=refund)
    return len(payments) + len(refunds)
