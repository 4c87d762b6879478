"""Monthly host statements from the ledger, and `manage.py host_statement`."""

import csv
import io
from decimal import Decimal as D

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from ledger.selectors import host_payable_balance
from payments.services import refund_execute, refund_goodwill
from payouts import services
from payouts.statements import host_statement
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(stay):
    """A paid stay, its payout paid, then a goodwill refund: all this month."""
    staff = UserFactory(is_staff=True, is_superuser=True)
    [payout] = services.payouts_schedule()
    services.payout_approve(actor=staff, payout=payout)
    services.payout_execute(payout=payout)
    refund = refund_goodwill(
        actor=staff, payment=stay.payments.get(), amount=D("20"), reason="Wifi"
    )
    refund_execute(refund=refund)
    return stay, payout


def this_month() -> str:
    return timezone.now().strftime("%Y-%m")


def test_the_statement_walks_from_opening_to_closing_balance(story):
    stay, payout = story
    host = stay.listing.host
    [section] = host_statement(host=host, month=this_month())
    assert section.currency == "EUR" and section.opening == 0
    assert [line.type for line in section.lines] == ["booking", "payout", "refund"]
    booking, paid, refund = section.lines
    assert booking.gross == stay.total - stay.service_fee - stay.taxes
    assert booking.host_fee == -stay.host_fee
    assert booking.amount == booking.gross + booking.host_fee == payout.amount
    assert paid.amount == -payout.amount and refund.amount < 0
    assert section.closing == section.opening + sum(line.amount for line in section.lines)
    assert section.closing == host_payable_balance(host=host, currency="EUR")


def test_an_earlier_month_has_nothing_and_the_next_opens_with_the_closing_balance(story):
    stay, _payout = story
    host = stay.listing.host
    assert host_statement(host=host, month="2020-01") == []
    now = timezone.now()
    next_month = f"{now.year + now.month // 12}-{now.month % 12 + 1:02d}"
    [section] = host_statement(host=host, month=next_month)
    assert section.lines == [] and section.opening == section.closing
    assert section.opening == host_payable_balance(host=host, currency="EUR")


def test_the_command_writes_csv(story, tmp_path):
    stay, payout = story
    out = io.StringIO()
    call_command("host_statement", host=stay.listing.host.email, month=this_month(), stdout=out)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == ["statement", stay.listing.host.email, this_month()]
    types = [row[1] for row in rows[1:] if len(row) > 1]
    assert types[:3] == ["EUR", "type", "opening balance"]
    assert "booking" in types and "payout" in types and "refund" in types
    assert types[-1] == "closing balance"
    target = tmp_path / "statement.csv"
    call_command("host_statement", host=stay.listing.host.email, month=this_month(),
                 output=str(target), stdout=io.StringIO())  # fmt: skip
    assert target.read_text().startswith("statement,")


@pytest.mark.parametrize(
    ("email", "month", "message"),
    [("nobody@example.test", "2026-01", "No user"), (None, "2026-13", "YYYY-MM"),
     (None, "soon", "YYYY-MM")],
)  # fmt: skip
def test_the_command_refuses_bad_input_clearly(stay, email, month, message):
    with pytest.raises(CommandError, match=message):
        call_command("host_statement", host=email or stay.listing.host.email, month=month)
