"""The ledger's one write path. `entry_post` refuses an unbalanced entry on every database (on
PostgreSQL a deferred constraint trigger refuses it again at commit, whoever wrote it)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Sum

from accounts.models import User
from common.errors import DomainError
from common.history import bulk_create_audited
from common.money import money

from . import rules
from .models import Account, EntryKind, JournalEntry, Posting

if TYPE_CHECKING:  # names for annotations only, never imported at run time
    from payments.models import Payment, Payout, Refund


class LedgerUnbalanced(DomainError):
    def __init__(self, message: str):
        super().__init__("ledger_unbalanced", message)


def account_get(*, kind: str, currency: str, host: User | None = None) -> Account:
    """The account of that kind and currency (the host's, for host payable), created once."""
    host = host if kind == Account.Kind.HOST_PAYABLE else None
    lookup = {"kind": kind, "currency": currency, "host": host}
    account = Account.objects.filter(**lookup).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            return Account.objects.create(**lookup)
    except IntegrityError:  # created concurrently: the unique constraint settled it
        return Account.objects.get(**lookup)


def entry_check(lines: list[tuple[Account, Decimal]]) -> None:
    """At least two postings, none zero, summing to zero in each currency."""
    if len(lines) < 2:
        raise LedgerUnbalanced("A journal entry needs at least two postings.")
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for account, amount in lines:
        if amount == 0:
            raise LedgerUnbalanced("A posting cannot be zero.")
        sums[account.currency] += amount
    off = {currency: total for currency, total in sums.items() if total != 0}
    if off:
        raise LedgerUnbalanced(f"The postings do not balance: {off}.")


@transaction.atomic
def entry_post(
    *, kind: str, lines: Iterable[tuple[Account, Decimal]], memo: str = "", **source: Any
) -> JournalEntry:
    """Write one balanced entry for `source` (payment=, refund= or payout=)."""
    lines = [(account, money(amount)) for account, amount in lines]
    entry_check(lines)
    entry = JournalEntry.objects.create(kind=kind, memo=memo[:255], **source)
    postings = [
        Posting(entry=entry, account=account, amount=amount, currency=account.currency)
        for account, amount in lines
    ]
    bulk_create_audited(postings, Posting)
    return entry


def _lines(postings: dict[str, Decimal], *, currency: str, host: User) -> list:
    return [
        (account_get(kind=kind, currency=currency, host=host), amount)
        for kind, amount in postings.items()
    ]


def entry_post_payment(*, payment: Payment) -> JournalEntry:
    booking = payment.booking
    postings = rules.payment_postings(rules.Charge.of(booking))
    return entry_post(
        kind=EntryKind.PAYMENT,
        lines=_lines(postings, currency=payment.currency, host=booking.listing.host),
        memo=f"Payment for booking {booking.pk}",
        payment=payment,
    )


def entry_post_refund(*, refund: Refund, already_refunded: Decimal) -> JournalEntry:
    """`already_refunded`: the payment's refunds that succeeded before this one."""
    payment = refund.payment
    booking = payment.booking
    postings = rules.refund_postings(
        rules.Charge.of(booking), amount=refund.amount, already_refunded=already_refunded
    )
    return entry_post(
        kind=EntryKind.REFUND,
        lines=_lines(postings, currency=payment.currency, host=booking.listing.host),
        memo=f"Refund for booking {booking.pk}",
        refund=refund,
    )


def entry_post_payout(*, payout: Payout) -> JournalEntry:
    return entry_post(
        kind=EntryKind.PAYOUT,
        lines=_lines(
            rules.payout_postings(payout.amount), currency=payout.currency, host=payout.host
        ),
        memo=f"Payout {payout.pk}",
        payout=payout,
    )


def account_balance(account: Account) -> Decimal:
    """The balance on the account's normal side (a host payable of 90 is 90 owed to the host)."""
    total = account.postings.aggregate(total=Sum("amount"))["total"] or Decimal("0")
    return money(total if account.kind == Account.Kind.PROVIDER_CASH else -total)
