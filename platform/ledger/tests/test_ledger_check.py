"""`manage.py ledger_check`: silent success, and a non-zero exit naming each disagreement."""

from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ledger import services
from ledger.models import Account, EntryKind
from payments.models import Payment, Refund, SimulatedOperation
from payments.services import booking_pay
from tests.factories import make_booking

pytestmark = pytest.mark.django_db


def check() -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("ledger_check", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def failing_check() -> str:
    err = StringIO()
    with pytest.raises(CommandError, match="disagreement"):
        call_command("ledger_check", stdout=StringIO(), stderr=err)
    return err.getvalue()


@pytest.fixture
def paid():
    booking = make_booking()
    return booking_pay(actor=booking.guest, booking=booking, payment_method="pm_card_visa")


def test_passes_on_an_empty_ledger_and_after_a_payment(paid):
    out, err = check()
    assert "ledger_check: OK (1 entries)" in out
    assert err == ""


def test_a_succeeded_payment_without_an_entry(paid):
    booking = make_booking()
    orphan = Payment.objects.create(
        booking=booking, amount=booking.total, currency="EUR", payment_method="pm_card_visa",
        provider="manual", status="succeeded",
    )  # fmt: skip
    report = failing_check()
    assert f"succeeded payment {orphan.pk} has no journal entry" in report
    assert "provider cash EUR" in report


def test_disagreeing_with_the_simulated_provider(paid):
    SimulatedOperation.objects.all().delete()
    report = failing_check()
    assert "simulated provider charges EUR: provider 0.00, records " in report


def test_a_host_payable_the_records_do_not_explain(paid):
    refund = Refund.objects.create(
        payment=paid, amount=D("1.00"), kind="goodwill", status="succeeded"
    )
    host = paid.booking.listing.host
    payable = services.account_get(kind=Account.Kind.HOST_PAYABLE, currency="EUR", host=host)
    cash = services.account_get(kind=Account.Kind.PROVIDER_CASH, currency="EUR")
    # A (wrong) refund entry that takes more from the host than the payment gave them.
    services.entry_post(
        kind=EntryKind.REFUND, refund=refund,
        lines=[(payable, paid.amount * 2), (cash, -paid.amount * 2)],
    )  # fmt: skip
    report = failing_check()
    assert f"host payable of {host.email} EUR is " in report
    assert "in the ledger but" in report and "by our records" in report
