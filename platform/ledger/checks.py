"""Reconciliation: does the ledger agree with itself, with our payment records and with what
the (simulated) provider says it did? Each finding is a sentence naming what disagrees."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q, Sum

from common.money import money
from payments.models import Payment, Payout, Refund
from payments.providers.simulated import simulated_totals

from . import rules
from .models import Account, JournalEntry, Posting

ZERO = Decimal("0.00")


def ledger_disagreements() -> list[str]:
    return [
        *_unbalanced_entries(),
        *_cash_versus_records(),
        *_simulated_provider_versus_records(),
        *_host_payables_versus_records(),
        *_sources_without_one_entry(),
    ]


def _unbalanced_entries() -> list[str]:
    findings = []
    small = JournalEntry.objects.annotate(n=Count("postings")).filter(n__lt=2)
    findings += [f"entry {e.pk} has {e.n} posting(s)" for e in small]
    sums = Posting.objects.values("entry_id", "currency").annotate(total=Sum("amount")).order_by()
    # Compared after rounding to cents: SQLite sums decimals in floating point.
    return findings + [
        f"entry {r['entry_id']} is off by {money(r['total'])} {r['currency']}"
        for r in sums
        if money(r["total"]) != 0
    ]


def _sum_by_currency(queryset, field="amount") -> dict[str, Decimal]:
    rows = queryset.values("currency").annotate(total=Sum(field)).order_by()
    return {row["currency"]: money(row["total"] or 0) for row in rows}


def _records_cash(payments=None, refunds=None, payouts=None) -> dict[str, Decimal]:
    """Succeeded payments − succeeded refunds − paid payouts, per currency."""
    payments = (
        Payment.objects.filter(status=Payment.Status.SUCCEEDED) if payments is None else payments
    )
    refunds = Refund.objects.filter(status=Refund.Status.SUCCEEDED) if refunds is None else refunds
    payouts = Payout.objects.filter(status=Payout.Status.PAID) if payouts is None else payouts
    cash: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for currency, total in _sum_by_currency(payments).items():
        cash[currency] += total
    for row in refunds.values("payment__currency").annotate(total=Sum("amount")).order_by():
        cash[row["payment__currency"]] -= money(row["total"])
    for currency, total in _sum_by_currency(payouts).items():
        cash[currency] -= total
    return cash


def _cash_versus_records() -> list[str]:
    ledger = _sum_by_currency(Posting.objects.filter(account__kind=Account.Kind.PROVIDER_CASH))
    records = _records_cash()
    return [
        f"provider cash {currency}: ledger {ledger.get(currency, ZERO)}, "
        f"records {records.get(currency, ZERO)}"
        for currency in sorted(set(ledger) | set(records))
        if ledger.get(currency, ZERO) != records.get(currency, ZERO)
    ]


def _simulated_provider_versus_records() -> list[str]:
    provider = simulated_totals()
    ours = {
        "charge": _sum_by_currency(
            Payment.objects.filter(status=Payment.Status.SUCCEEDED, provider="simulated")
        ),
        "refund": {
            row["payment__currency"]: money(row["total"])
            for row in Refund.objects.filter(
                status=Refund.Status.SUCCEEDED, payment__provider="simulated"
            )
            .values("payment__currency")
            .annotate(total=Sum("amount"))
            .order_by()
        },
    }
    currencies = {c for c, _k in provider} | {c for totals in ours.values() for c in totals}
    findings = []
    for kind, totals in ours.items():
        for currency in sorted(currencies):
            theirs, mine = provider.get((currency, kind), ZERO), totals.get(currency, ZERO)
            if theirs != mine:
                findings.append(
                    f"simulated provider {kind}s {currency}: provider {theirs}, records {mine}"
                )
    return findings


def _host_payable_accounts():
    return (
        Account.objects.filter(kind=Account.Kind.HOST_PAYABLE)
        .annotate(total=Sum("postings__amount"))
        .select_related("host")
    )


def _host_payables_by_records() -> dict[tuple, Decimal]:
    """What each host is owed per currency by our records: the host's share of every succeeded
    payment after its succeeded refunds (the ledger's own split), less the paid payouts."""
    owed: dict[tuple, Decimal] = defaultdict(Decimal)
    payments = (
        Payment.objects.filter(status=Payment.Status.SUCCEEDED)
        .select_related("booking__listing")
        .annotate(refunded=Sum("refunds__amount", filter=Q(refunds__status="succeeded")))
    )
    for payment in payments:
        booking = payment.booking
        share = rules.host_share_after_refunds(rules.Charge.of(booking), payment.refunded or ZERO)
        owed[(booking.listing.host_id, payment.currency)] += share
    paid = (
        Payout.objects.filter(status=Payout.Status.PAID)
        .values_list("host_id", "currency")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for host_id, currency, total in paid:
        owed[(host_id, currency)] -= total
    return owed


def _host_payables_versus_records() -> list[str]:
    """Each host payable agrees with our records. A negative balance is not a disagreement when
    the records explain it: a refund after the booking was paid out takes back from the host
    what was already transferred, and the host's next payouts net it off
    (`host_payables_owed_back`)."""
    expected = _host_payables_by_records()
    findings = []
    for account in _host_payable_accounts():
        ledger = money(-(account.total or 0))
        records = money(expected.pop((account.host_id, account.currency), ZERO))
        if ledger != records:
            findings.append(
                f"host payable of {account.host} {account.currency} is {ledger} in the ledger "
                f"but {records} by our records"
            )
    findings += [
        f"host payable of host {host_id} {currency}: no account, {money(amount)} by our records"
        for (host_id, currency), amount in expected.items()
        if money(amount) != ZERO
    ]
    return findings


def host_payables_owed_back() -> list[tuple]:
    """(host, currency, amount) for each host who owes the platform money: refunds taken after
    their bookings were paid out. Not an error; their next payouts are reduced by it."""
    return [
        (account.host, account.currency, money(account.total))
        for account in _host_payable_accounts()
        if money(account.total or 0) > 0  # a debit balance
    ]


def _sources_without_one_entry() -> list[str]:
    findings = []
    checks = [
        (Payment.objects.filter(status=Payment.Status.SUCCEEDED), "succeeded payment"),
        (Refund.objects.filter(status=Refund.Status.SUCCEEDED), "succeeded refund"),
        (Payout.objects.filter(status=Payout.Status.PAID), "paid payout"),
    ]
    for queryset, label in checks:
        missing = queryset.filter(journal_entry__isnull=True).values_list("pk", flat=True)
        findings += [f"{label} {pk} has no journal entry" for pk in missing]
    stray = JournalEntry.objects.filter(
        Q(payment__isnull=False) & ~Q(payment__status=Payment.Status.SUCCEEDED)
        | Q(refund__isnull=False) & ~Q(refund__status=Refund.Status.SUCCEEDED)
        | Q(payout__isnull=False) & ~Q(payout__status=Payout.Status.PAID)
    ).values_list("pk", flat=True)
    findings += [
        f"entry {pk} posts a payment, refund or payout that did not happen" for pk in stray
    ]
    return findings
