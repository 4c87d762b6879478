"""The demo's money, seeded after the rest has committed (providers are never called inside a
transaction): every confirmed stay paid through the payment service with the simulated
provider, one paid stay cancelled with its refund sent, past stays paid (they were written
directly, so their payments are too, charged through the same provider with the ledger's own
posting service), and payouts in every status for the demo host.

Deterministic: the amounts follow from the bookings; the simulated provider answers from the
payment method. `ledger_check` passes on the result.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db import transaction
from django.utils import timezone

from bookings.models import Booking, BookingStatus
from ledger.services import entry_post_payment
from payments.models import Payment, Payout, PayoutAccount, Refund
from payments.providers import ChargeRequest, provider_get
from payments.services import booking_cancel_with_refund, booking_pay, refund_execute
from payouts import services as payouts

DEMO_PROVIDER = "simulated"


def payout_account_id(host) -> str:
    return "acct_demo_" + hashlib.sha256(host.email.encode()).hexdigest()[:12]


def seed_money(*, to_pay, to_cancel, host, staff, today: dt.date) -> None:
    hosts = {b.listing.host for b in Booking.objects.select_related("listing__host")}
    for owner in sorted(hosts, key=lambda h: h.email):
        PayoutAccount.objects.get_or_create(
            host=owner, defaults={"stripe_account_id": payout_account_id(owner)}
        )
    for booking in to_pay:
        # Alternate the two good test cards, so both appear in the payment records.
        method = "pm_card_visa" if len(str(booking.check_in)) % 2 == 0 else "pm_card_mastercard"
        booking_pay(actor=booking.guest, booking=booking, payment_method=method)
    for booking, guest, reason in to_cancel:
        booking_cancel_with_refund(booking=booking, actor=guest, reason=reason)
        for refund in Refund.objects.filter(payment__booking=booking, status="pending"):
            refund_execute(refund=refund)  # now, not when a worker gets to it
    past = Booking.objects.filter(status=BookingStatus.COMPLETED, payments__isnull=True)
    for booking in past.select_related("listing").order_by("check_in", "created_at"):
        _historic_payment(booking)
    _payouts(host=host, staff=staff, today=today)


def _historic_payment(booking: Booking) -> Payment:
    """A past stay's payment: charged through the simulated provider and posted to the ledger
    by its own service (the payment service confirms bookings, which past stays already are)."""
    payment = Payment.objects.create(
        booking=booking,
        amount=booking.total,
        currency=booking.currency,
        payment_method="pm_card_visa",
        provider=DEMO_PROVIDER,
    )
    result = provider_get(DEMO_PROVIDER).charge(
        ChargeRequest(
            amount=payment.amount,
            currency=payment.currency,
            payment_method="pm_card_visa",
            idempotency_key=payment.provider_idempotency_key,
            metadata={"payment_id": str(payment.pk), "booking_id": str(booking.pk)},
        )
    )
    with transaction.atomic():
        payment.status, payment.provider_reference = Payment.Status.SUCCEEDED, result.reference
        payment.succeeded_at = booking.created_at
        payment.save()
        # Created when it succeeded, as it would have been (created_at is set on insert)
        Payment.objects.filter(pk=payment.pk).update(created_at=booking.created_at)
        payment.created_at = booking.created_at
        entry_post_payment(payment=payment)
    return payment


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


def _payouts(*, host, staff, today: dt.date) -> None:
    """Four rounds of the payout job, as if it had run on past days: the demo host's first
    payout is paid, the second failed (their account refused the transfer), the third approved
    and waiting for its transfer, the fourth scheduled. Other hosts' older payouts are paid."""
    rounds = [today - dt.timedelta(days=d) for d in (60, 35, 15)]
    for number, day in enumerate(rounds):
        for payout in payouts.payouts_schedule(now=_at(day)):
            Payout.objects.filter(pk=payout.pk).update(created_at=_at(day))  # when it ran
            if payout.host == host and number == 1:
                _failed(payout, staff=staff)
            elif payout.host == host and number == 2:
                _approved_waiting(payout, staff=staff)
            elif number < 2:
                payouts.payout_approve(actor=staff, payout=payout)
                payouts.payout_execute(payout=payout)
    payouts.payouts_schedule(now=timezone.now())


def _failed(payout: Payout, *, staff) -> None:
    account = PayoutAccount.objects.get(host=payout.host)
    good = account.stripe_account_id
    account.stripe_account_id = "acct_invalid"
    account.save()
    payouts.payout_approve(actor=staff, payout=payout)
    payouts.payout_execute(payout=payout)
    account.stripe_account_id = good
    account.save()


def _approved_waiting(payout: Payout, *, staff) -> None:
    """Approved by staff, transfer not sent yet: written as the approval would, without the
    message that sends it (the recovery sweep sends it after PAYOUT_STUCK_AFTER)."""
    payout.status, payout.approved_at, payout.approved_by = "approved", timezone.now(), staff
    payout.save()
