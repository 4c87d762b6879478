"""Paying hosts: scheduling payouts, approving them, transferring the money.

- `payouts_schedule` (beat, hourly) gathers, per host and currency, the confirmed or completed
  bookings whose check-in began at least PAYOUT_DELAY ago where the listing is (a stay's dates
  are local dates; check-in is taken as the start of that day) and that are in no payout yet,
  with a succeeded payment. A booking's line is base − host fee − what its refunds take from
  host payable (`ledger.rules.host_share_after_refunds`: the ledger's own split). The database
  keeps a booking in one payout (PayoutLine.booking is one-to-one), so two runs at once cannot
  pay a booking twice: the loser's group rolls back and the next run finds nothing to do.
- Staff approve (`payout_approve`, `payouts_approve`); approval commits `approved` and enqueues
  the transfer after commit. `payout_execute` calls the provider outside any transaction with an
  idempotency key from our id and the attempt number, then records the answer once: `paid`
  (ledger: host payable → provider cash) or `failed` with the reason. A failed payout can be
  retried (`payout_retry`): a new attempt, so a new key (the provider would otherwise answer the
  old key with the old failure).
- `payouts_recover_stuck` (the recovery sweep) re-dispatches payouts approved long ago and
  still not settled: a lost message or a dead worker delays a payout, never loses it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, time
from decimal import Decimal
from uuid import UUID

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from accounts.models import User
from bookings.models import Booking, BookingStatus
from common.actor import attributed_to
from common.background import enqueue_on_commit
from common.dates import zone
from common.errors import DomainError, NotPermitted
from common.history import bulk_create_audited
from common.money import money
from ledger import rules
from ledger.selectors import host_payable_balance
from ledger.services import entry_post_payout
from payments import signals
from payments.models import Payment, Payout, PayoutAccount, PayoutLine, Refund
from payments.providers import OperationResult, TransferRequest, provider_get

log = logging.getLogger(__name__)

PAYABLE_STATUSES = (BookingStatus.CONFIRMED, BookingStatus.COMPLETED)
ZERO = Decimal("0.00")


# --- which bookings are due -------------------------------------------------------------------


def booking_payout_due_at(booking: Booking) -> datetime:
    """When a booking may be paid out: PAYOUT_DELAY after the start of its check-in day in the
    listing's time zone (an aware datetime, so daylight-saving days count real hours)."""
    start = datetime.combine(booking.check_in, time.min, tzinfo=zone(booking.listing.time_zone))
    return start + settings.PAYOUT_DELAY


def booking_payout_amount(booking: Booking) -> Decimal:
    """What the host is owed for the booking: base − host fee − what its refunds (succeeded or
    still pending, since a pending one will take its share) take from host payable."""
    refunded = (
        Refund.objects.filter(payment__booking=booking)
        .exclude(status=Refund.Status.FAILED)
        .aggregate(total=Sum("amount"))["total"]
        or ZERO
    )
    return money(rules.host_share_after_refunds(rules.Charge.of(booking), refunded))


def bookings_due_for_payout(*, now: datetime | None = None) -> list[Booking]:
    """Bookings to pay out now, oldest check-in first."""
    now = now or timezone.now()
    # The start of a day is at most 14 hours before UTC's: a check-in after UTC's today cannot
    # have begun a day ago anywhere. A cheap, index-friendly first cut; the zone decides.
    candidates = (
        Booking.objects.filter(
            status__in=PAYABLE_STATUSES,
            check_in__lte=now.date(),
            payout_line__isnull=True,
            payments__status=Payment.Status.SUCCEEDED,
        )
        .select_related("listing")
        .order_by("check_in", "created_at")
    )
    return [b for b in candidates if booking_payout_due_at(b) <= now]


# --- scheduling -------------------------------------------------------------------------------


def payouts_schedule(*, now: datetime | None = None) -> list[Payout]:
    """Create the payouts due now, one per host and currency. Idempotent: a booking already in
    a payout is never taken again (checked, and enforced by the database)."""
    groups: dict[tuple, list[Booking]] = defaultdict(list)
    for booking in bookings_due_for_payout(now=now):
        groups[(booking.listing.host_id, booking.currency)].append(booking)
    created = []
    for (host_id, currency), bookings in groups.items():
        try:
            payout = _payout_create(host_id=host_id, currency=currency, bookings=bookings)
        except IntegrityError:
            log.info("payouts for host %s %s were scheduled concurrently", host_id, currency)
            continue
        if payout is not None:
            created.append(payout)
    return created


@transaction.atomic
def _payout_create(*, host_id: UUID, currency: str, bookings: list[Booking]) -> Payout | None:
    # Lock the bookings so a cancellation or refund racing us waits, then re-check each one.
    locked = (
        Booking.objects.select_for_update(of=("self",))
        .filter(pk__in=[b.pk for b in bookings], status__in=PAYABLE_STATUSES)
        .select_related("listing")
        .order_by("check_in", "created_at")
    )
    lines = []
    for booking in locked:
        if PayoutLine.objects.filter(booking=booking).exists():
            continue
        amount = booking_payout_amount(booking)
        if amount > 0:  # a booking refunded in full owes the host nothing
            lines.append((booking, amount))
    if not lines:
        return None
    gross = money(sum(a for _b, a in lines))
    owed_back = host_owed_back(host_id=host_id, currency=currency)
    if owed_back >= gross:
        # Never a negative (or empty) payout: the lines wait, and a later run with more stays
        # nets the rest off.
        log.warning(
            "host %s owes %s %s back, more than the %s due now: no payout yet",
            host_id,
            owed_back,
            currency,
            gross,
        )
        return None
    if owed_back:
        log.info(
            "payout for host %s %s: %s due, %s netted off (refunds after an earlier payout)",
            host_id,
            currency,
            gross,
            owed_back,
        )
    payout = Payout.objects.create(host_id=host_id, currency=currency, amount=gross - owed_back)
    bulk_create_audited(
        [PayoutLine(payout=payout, booking=b, amount=a) for b, a in lines], PayoutLine
    )
    return payout


def host_owed_back(*, host_id: UUID, currency: str) -> Decimal:
    """What the host owes the platform in `currency`: refunds that took from host payable after
    the booking's money had been paid out (or set aside in a payout). The host payable balance
    (ledger) less what is set aside in payouts not paid yet, less the host's share of paid
    bookings in no payout yet; normally zero, and when negative, the next payouts are reduced
    by it (never below zero). Call inside the scheduling transaction."""
    balance = host_payable_balance(host=host_id, currency=currency)
    set_aside = (
        Payout.objects.filter(
            host_id=host_id,
            currency=currency,
            status__in=(Payout.Status.SCHEDULED, Payout.Status.APPROVED, Payout.Status.FAILED),
        ).aggregate(total=Sum("amount"))["total"]
        or ZERO
    )
    unscheduled = (
        Booking.objects.filter(
            listing__host_id=host_id,
            currency=currency,
            payout_line__isnull=True,
            payments__status=Payment.Status.SUCCEEDED,
        )
        .select_related("listing")
        .distinct()
    )
    waiting = sum((_share_after_succeeded_refunds(b) for b in unscheduled), ZERO)
    return money(max(ZERO, -(balance - set_aside - waiting)))


def _share_after_succeeded_refunds(booking: Booking) -> Decimal:
    """The host's share as the ledger holds it now (pending refunds have not posted yet)."""
    refunded = (
        Refund.objects.filter(payment__booking=booking, status=Refund.Status.SUCCEEDED).aggregate(
            total=Sum("amount")
        )["total"]
        or ZERO
    )
    return rules.host_share_after_refunds(rules.Charge.of(booking), refunded)


# --- approval ---------------------------------------------------------------------------------


def _require_staff(actor: User) -> None:
    if not (
        actor and actor.is_active and actor.is_staff and actor.has_perm("payments.change_payout")
    ):
        raise NotPermitted("Only staff may approve or retry payouts.")


@attributed_to("actor")
def payout_approve(*, actor: User, payout: Payout) -> Payout:
    """A scheduled payout becomes approved; its transfer is sent after commit."""
    _require_staff(actor)
    with transaction.atomic():
        payout = Payout.objects.select_for_update().get(pk=payout.pk)
        if payout.status != Payout.Status.SCHEDULED:
            raise DomainError(
                "payout_not_scheduled",
                f"Only a scheduled payout can be approved; this one is {payout.status}.",
            )
        payout.status = Payout.Status.APPROVED
        payout.approved_at, payout.approved_by = timezone.now(), actor
        payout.save()
        payout_dispatch(payout=payout)
    return payout


def payouts_approve(*, actor: User, payouts: Iterable[Payout]) -> tuple[list[Payout], list[Payout]]:
    """Approve each scheduled payout of `payouts`; returns (approved, skipped: not scheduled)."""
    _require_staff(actor)
    approved, skipped = [], []
    for payout in payouts:
        try:
            approved.append(payout_approve(actor=actor, payout=payout))
        except DomainError:
            skipped.append(payout)
    return approved, skipped


@attributed_to("actor")
def payout_retry(*, actor: User, payout: Payout) -> Payout:
    """A failed payout is approved again for a new transfer attempt (a new idempotency key)."""
    _require_staff(actor)
    with transaction.atomic():
        payout = Payout.objects.select_for_update().get(pk=payout.pk)
        if payout.status != Payout.Status.FAILED:
            raise DomainError(
                "payout_not_failed",
                f"Only a failed payout can be retried; this one is {payout.status}.",
            )
        payout.status = Payout.Status.APPROVED
        payout.attempt += 1
        payout.failure_reason, payout.failed_at = "", None
        payout.approved_at, payout.approved_by = timezone.now(), actor
        payout.save()
        payout_dispatch(payout=payout)
    return payout


def payout_dispatch(*, payout: Payout) -> None:
    from .tasks import transfer_payout

    enqueue_on_commit(transfer_payout, str(payout.pk))


# --- transfer ---------------------------------------------------------------------------------


def payout_transfer_key(payout: Payout) -> str:
    """The provider's idempotency key: our id and the attempt (a retry is a new transfer)."""
    return f"{payout.provider_idempotency_key}-{payout.attempt}"


def payout_execute(*, payout: Payout) -> Payout:
    """Transfer an approved payout (outside any transaction) and record the answer. Raises
    ProviderUnavailable when the outcome is unknown: the payout stays approved and is sent
    again with the same key."""
    payout = Payout.objects.select_related("host").get(pk=payout.pk)
    if payout.status != Payout.Status.APPROVED:
        return payout
    refusal = _transfer_refusal(payout)
    if refusal is not None:
        return payout_record_result(payout=payout, result=refusal)
    account = PayoutAccount.objects.get(host=payout.host)
    result = provider_get().transfer(
        TransferRequest(
            destination=account.stripe_account_id,
            amount=payout.amount,
            currency=payout.currency,
            idempotency_key=payout_transfer_key(payout),
            metadata={"payout_id": str(payout.pk), "host_id": str(payout.host_id)},
        )
    )
    return payout_record_result(payout=payout, result=result)


def _transfer_refusal(payout: Payout) -> OperationResult | None:
    """Reasons not to call the provider at all, as a failed result."""
    account = PayoutAccount.objects.filter(host=payout.host).first()
    if account is None or not account.stripe_account_id:
        return OperationResult(
            False,
            failure_code="account_missing",
            failure_message="The host has no payout account to pay into.",
        )
    owed = host_payable_balance(host=payout.host, currency=payout.currency)
    if owed < payout.amount:
        return OperationResult(
            False,
            failure_code="host_balance_insufficient",
            failure_message=f"The host is owed {owed} {payout.currency}, less than the payout "
            "(a refund since it was scheduled).",
        )
    return None


@transaction.atomic
def payout_record_result(*, payout: Payout, result: OperationResult) -> Payout:
    """Record the answer once: a duplicate (a re-run task, a webhook) changes nothing."""
    payout = Payout.objects.select_for_update().get(pk=payout.pk)
    if payout.status != Payout.Status.APPROVED:
        return payout
    payout.provider_reference = result.reference or payout.provider_reference
    if result.succeeded:
        payout.status, payout.paid_at = Payout.Status.PAID, timezone.now()
        payout.save()
        entry_post_payout(payout=payout)
        signals.payout_paid.send(sender=Payout, payout=payout)
    else:
        reason = result.failure_message or result.failure_code or "The transfer failed."
        if result.failure_code and result.failure_code not in reason:
            reason = f"{reason} ({result.failure_code})"
        payout.status, payout.failed_at = Payout.Status.FAILED, timezone.now()
        payout.failure_reason = reason[:500]
        payout.save()
        signals.payout_failed.send(sender=Payout, payout=payout)
    return payout


# --- recovery ---------------------------------------------------------------------------------


def payouts_recover_stuck(*, now: datetime | None = None) -> int:
    """Re-dispatch payouts approved more than PAYOUT_STUCK_AFTER ago and still not settled.
    Safe to run often: the provider answers a repeated key with its first answer."""
    cutoff = (now or timezone.now()) - settings.PAYOUT_STUCK_AFTER
    stuck = list(
        Payout.objects.filter(
            Q(approved_at__lte=cutoff) | Q(approved_at__isnull=True),
            status=Payout.Status.APPROVED,
        )
    )
    for payout in stuck:
        payout_dispatch(payout=payout)
    return len(stuck)
