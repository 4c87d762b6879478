"""A double-entry ledger: accounts, journal entries and their postings.

A posting's amount is signed: positive debits the account, negative credits it. Every entry's
postings sum to zero per currency and there are at least two; on PostgreSQL a deferred
constraint trigger refuses any other commit, and further triggers refuse changing or deleting a
posting or an entry (see migrations/0002). Corrections are new entries.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from common.history import audited
from common.models import BaseModel
from common.money import CURRENCY_CHOICES

SIGNED_MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}


class AccountKind(models.TextChoices):
    PROVIDER_CASH = "provider_cash", "Provider cash"
    HOST_PAYABLE = "host_payable", "Host payable"
    GUEST_FEE_REVENUE = "guest_fee_revenue", "Guest service-fee revenue"
    HOST_FEE_REVENUE = "host_fee_revenue", "Host service-fee revenue"
    TAXES_PAYABLE = "taxes_payable", "Taxes payable"


# Accounts whose balance grows with debits (assets); the others grow with credits.
DEBIT_NORMAL = frozenset({AccountKind.PROVIDER_CASH})


class EntryKind(models.TextChoices):
    PAYMENT = "payment", "Payment"
    REFUND = "refund", "Refund"
    PAYOUT = "payout", "Payout"


class Account(BaseModel):
    Kind = AccountKind

    kind = models.CharField(max_length=20, choices=AccountKind.choices)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_accounts",
        help_text="Host payable accounts only.",
    )

    history = audited()

    class Meta:
        ordering = ["kind", "currency"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "currency"],
                condition=Q(host__isnull=True),
                name="ledger_account_one_platform_account",
            ),
            models.UniqueConstraint(
                fields=["kind", "currency", "host"],
                condition=Q(host__isnull=False),
                name="ledger_account_one_per_host",
            ),
            models.CheckConstraint(
                condition=Q(kind="host_payable", host__isnull=False)
                | (~Q(kind="host_payable") & Q(host__isnull=True)),
                name="ledger_account_host_iff_host_payable",
            ),
        ]

    def __str__(self):
        owner = f" · {self.host}" if self.host_id else ""
        return f"{self.get_kind_display()} {self.currency}{owner}"


class JournalEntry(BaseModel):
    """One business event's postings. Each payment, refund and payout has at most one entry."""

    Kind = EntryKind

    kind = models.CharField(max_length=10, choices=EntryKind.choices)
    memo = models.CharField(max_length=255, blank=True)
    payment = models.OneToOneField(
        "payments.Payment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="journal_entry",
    )
    refund = models.OneToOneField(
        "payments.Refund",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="journal_entry",
    )
    payout = models.OneToOneField(
        "payments.Payout",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="journal_entry",
    )

    history = audited()

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "journal entries"
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="payment", payment__isnull=False, refund__isnull=True)
                    & Q(payout__isnull=True)
                )
                | (
                    Q(kind="refund", refund__isnull=False, payment__isnull=True)
                    & Q(payout__isnull=True)
                )
                | (
                    Q(kind="payout", payout__isnull=False, payment__isnull=True)
                    & Q(refund__isnull=True)
                ),
                name="ledger_entry_one_source_of_its_kind",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} entry {self.created_at:%Y-%m-%d %H:%M}"


class Posting(models.Model):
    """Immutable. `currency` repeats the account's (checked) so balancing per currency is a
    single-table sum."""

    id = models.BigAutoField(primary_key=True)
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="postings")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="postings")
    amount = models.DecimalField(**SIGNED_MONEY)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)

    history = audited()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="ledger_posting_not_zero"),
        ]

    def __str__(self):
        return f"{self.account}: {self.amount}"
