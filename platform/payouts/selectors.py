"""Reads of payouts: what a host may see, and the money figures of the dashboard."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet, Sum

from accounts.models import User
from common.money import money
from payments.models import Payment, Payout, PayoutLine, Refund

UNPAID = (Payout.Status.SCHEDULED, Payout.Status.APPROVED, Payout.Status.FAILED)


def payout_list_for_host(host: User) -> QuerySet:
    """A host's own payouts, newest first, their lines (and bookings) prefetched."""
    if host is None or not host.is_authenticated:
        return Payout.objects.none()
    lines = PayoutLine.objects.select_related("booking__listing").order_by("booking__check_in")
    return (
        Payout.objects.filter(host=host)
        .prefetch_related(Prefetch("lines", queryset=lines))
        .order_by("-created_at", "id")
    )


def _by_currency(rows: Iterable[Any], key: str) -> dict[str, Decimal]:
    return {row[key]: money(row["total"]) for row in rows if row["total"]}


def payouts_due(*, host: User | None = None) -> dict[str, Decimal]:
    """What is owed to hosts in payouts not paid yet (scheduled, approved or failed)."""
    payouts = Payout.objects.filter(status__in=UNPAID)
    if host is not None:
        payouts = payouts.filter(host=host)
    rows = payouts.values("currency").annotate(total=Sum("amount")).order_by("currency")
    return _by_currency(rows, "currency")


def money_received(*, start: date, end: date, host: User | None = None) -> dict[str, Decimal]:
    """Succeeded payments less succeeded refunds, by the day they succeeded, in [start, end)."""
    payments = Payment.objects.filter(
        status=Payment.Status.SUCCEEDED, succeeded_at__date__gte=start, succeeded_at__date__lt=end
    )
    refunds = Refund.objects.filter(
        status=Refund.Status.SUCCEEDED, succeeded_at__date__gte=start, succeeded_at__date__lt=end
    )
    if host is not None:
        payments = payments.filter(booking__listing__host=host)
        refunds = refunds.filter(payment__booking__listing__host=host)
    received = _by_currency(
        payments.values("currency").annotate(total=Sum("amount")).order_by(), "currency"
    )
    for currency, total in _by_currency(
        refunds.values("payment__currency").annotate(total=Sum("amount")).order_by(),
        "payment__currency",
    ).items():
        received[currency] = received.get(currency, Decimal("0.00")) - total
    return dict(sorted(received.items()))
