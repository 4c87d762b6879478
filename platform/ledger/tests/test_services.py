"""The ledger's write path and the database's guards (PostgreSQL triggers)."""

from decimal import Decimal as D

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from ledger import selectors, services
from ledger.models import Account, EntryKind, JournalEntry, Posting
from payments.models import Payment
from tests.factories import make_booking

pytestmark = pytest.mark.django_db


def succeeded_payment(booking=None) -> Payment:
    booking = booking or make_booking()
    return Payment.objects.create(
        booking=booking, amount=booking.total, currency=booking.currency,
        payment_method="pm_card_visa", provider="simulated", status=Payment.Status.SUCCEEDED,
    )  # fmt: skip


def check_now():
    """Run the deferred constraint triggers now (the test's transaction never commits)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_payment_entry_balances_and_credits_the_host():
    payment = succeeded_payment()
    booking = payment.booking
    entry = services.entry_post_payment(payment=payment)
    amounts = {p.account.kind: p.amount for p in entry.postings.select_related("account")}
    assert sum(amounts.values()) == 0
    assert amounts[Account.Kind.PROVIDER_CASH] == booking.total
    host_share = booking.total - booking.service_fee - booking.taxes - booking.host_fee
    assert selectors.host_payable_balance(host=booking.listing.host, currency="EUR") == host_share
    cash = Account.objects.get(kind=Account.Kind.PROVIDER_CASH, currency="EUR")
    assert services.account_balance(cash) == booking.total


def test_one_entry_per_payment():
    payment = succeeded_payment()
    services.entry_post_payment(payment=payment)
    with pytest.raises(IntegrityError), transaction.atomic():
        services.entry_post_payment(payment=payment)
    assert JournalEntry.objects.count() == 1


@pytest.mark.parametrize(
    "amounts", [[D("10.00")], [D("10.00"), D("-9.99")], [D("10.00"), D("0.00"), D("-10.00")]]
)
def test_entry_post_refuses_what_does_not_balance(amounts):
    payment = succeeded_payment()
    cash = services.account_get(kind=Account.Kind.PROVIDER_CASH, currency="EUR")
    fees = services.account_get(kind=Account.Kind.GUEST_FEE_REVENUE, currency="EUR")
    lines = list(zip([cash, fees, fees], amounts, strict=False))
    with pytest.raises(services.LedgerUnbalanced):
        services.entry_post(kind=EntryKind.PAYMENT, lines=lines, payment=payment)
    assert not JournalEntry.objects.exists()
    assert not Posting.objects.exists()


def test_balanced_in_total_but_not_per_currency_is_refused():
    payment = succeeded_payment()
    eur = services.account_get(kind=Account.Kind.PROVIDER_CASH, currency="EUR")
    usd = services.account_get(kind=Account.Kind.GUEST_FEE_REVENUE, currency="USD")
    with pytest.raises(services.LedgerUnbalanced):
        services.entry_post(
            kind=EntryKind.PAYMENT, lines=[(eur, D("5")), (usd, D("-5"))], payment=payment
        )


def test_account_get_is_one_account_per_kind_currency_and_host():
    payment = succeeded_payment()
    host = payment.booking.listing.host
    first = services.account_get(kind=Account.Kind.HOST_PAYABLE, currency="EUR", host=host)
    assert services.account_get(kind=Account.Kind.HOST_PAYABLE, currency="EUR", host=host) == first
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.create(kind=Account.Kind.PROVIDER_CASH, currency="EUR", host=host)


# --- PostgreSQL refuses what bypasses the service -------------------------------------------


def raw_entry(payment, *amounts, currency="EUR"):
    cash = services.account_get(kind=Account.Kind.PROVIDER_CASH, currency="EUR")
    entry = JournalEntry.objects.create(kind=EntryKind.PAYMENT, payment=payment)
    for amount in amounts:
        Posting.objects.create(entry=entry, account=cash, amount=amount, currency=currency)
    return entry


@pytest.mark.postgres
@pytest.mark.parametrize(
    "amounts", [(), (D("10.00"),), (D("10.00"), D("-9.99"))], ids=["none", "one", "unbalanced"]
)
def test_postgres_refuses_an_unbalanced_entry_at_commit(amounts):
    payment = succeeded_payment()
    with pytest.raises(IntegrityError, match="ledger: journal entry"), transaction.atomic():
        raw_entry(payment, *amounts)
        check_now()


@pytest.mark.postgres
def test_postgres_accepts_a_balanced_raw_entry():
    payment = succeeded_payment()
    with transaction.atomic():
        raw_entry(payment, D("10.00"), D("-10.00"))
        check_now()
    assert Posting.objects.count() == 2


@pytest.mark.postgres
def test_postgres_refuses_a_posting_in_another_currency_than_its_account():
    payment = succeeded_payment()
    with pytest.raises(IntegrityError, match="currency"), transaction.atomic():
        raw_entry(payment, D("10.00"), D("-10.00"), currency="USD")


@pytest.mark.postgres
@pytest.mark.parametrize("operation", ["update_posting", "delete_posting", "update_entry"])
def test_postgres_postings_and_entries_are_immutable(operation):
    entry = services.entry_post_payment(payment=succeeded_payment())
    with pytest.raises(DatabaseError, match="refused"), transaction.atomic():
        if operation == "update_posting":
            Posting.objects.filter(entry=entry).update(amount=D("1.00"))
        elif operation == "delete_posting":
            Posting.objects.filter(entry=entry).delete()
        else:
            JournalEntry.objects.filter(pk=entry.pk).update(memo="rewritten")
    assert sum(p.amount for p in Posting.objects.filter(entry=entry)) == 0
    assert Posting.objects.filter(entry=entry).count() >= 4
