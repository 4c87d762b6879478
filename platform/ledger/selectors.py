"""Reads of the ledger: balances and the entries of a booking."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from django.db.models import Q, QuerySet, Sum

from accounts.models import User
from bookings.models import Booking
from common.money import money

from .models import Account, JournalEntry


def host_payable_balance(*, host: User | UUID, currency: str) -> Decimal:
    """What the platform owes `host` in `currency` (credit balance of their payable account)."""
    total = Account.objects.filter(
        kind=Account.Kind.HOST_PAYABLE, host=host, currency=currency
    ).aggregate(total=Sum("postings__amount"))["total"]
    return money(-(total or 0))


def account_balances() -> QuerySet:
    """Every account with its raw signed sum (`total`: debits positive)."""
    return Account.objects.select_related("host").annotate(total=Sum("postings__amount"))


def entry_list_for_booking(booking: Booking) -> QuerySet:
    return (
        JournalEntry.objects.filter(
            Q(payment__booking=booking) | Q(refund__payment__booking=booking)
        )
        .prefetch_related("postings__account")
        .order_by("created_at")
    )
