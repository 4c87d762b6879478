"""Posting rules as tables: payment, full and partial refunds, rounding, the last cent."""

from decimal import Decimal as D

import pytest

from ledger import rules

CASH, HP, GF = rules.PROVIDER_CASH, rules.HOST_PAYABLE, rules.GUEST_FEE_REVENUE
HF, TAX = rules.HOST_FEE_REVENUE, rules.TAXES_PAYABLE

# base 300.00 (3 nights of 100), service fee 12 % = 36.00, taxes 10 % = 30.00, host fee 3 % = 9.00
ROUND = rules.Charge(
    total=D("366.00"), service_fee=D("36.00"), taxes=D("30.00"), host_fee=D("9.00")
)
# base 333.33, fee 40.00, taxes 23.33 (7 %), host fee 10.00: shares that do not divide evenly
ODD = rules.Charge(total=D("396.66"), service_fee=D("40.00"), taxes=D("23.33"), host_fee=D("10.00"))


def balanced(postings):
    return sum(postings.values()) == 0


@pytest.mark.parametrize(
    ("charge", "expected"),
    [
        (
            ROUND,
            {
                CASH: D("366.00"),
                HP: D("-291.00"),
                GF: D("-36.00"),
                HF: D("-9.00"),
                TAX: D("-30.00"),
            },
        ),
        (
            ODD,
            {
                CASH: D("396.66"),
                HP: D("-323.33"),
                GF: D("-40.00"),
                HF: D("-10.00"),
                TAX: D("-23.33"),
            },
        ),
        (
            rules.Charge(
                total=D("112.00"), service_fee=D("12.00"), taxes=D("0.00"), host_fee=D("3.00")
            ),
            {CASH: D("112.00"), HP: D("-97.00"), GF: D("-12.00"), HF: D("-3.00")},  # no tax posting
        ),
    ],
)
def test_payment_postings(charge, expected):
    postings = rules.payment_postings(charge)
    assert postings == expected
    assert balanced(postings)


@pytest.mark.parametrize("charge", [ROUND, ODD])
def test_full_refund_reverses_the_payment(charge):
    refund = rules.refund_postings(charge, amount=charge.total)
    assert refund == {kind: -amount for kind, amount in rules.payment_postings(charge).items()}


@pytest.mark.parametrize(
    ("charge", "amount", "expected"),
    [
        # moderate/strict 50 % of (366 − 36) = 165.00: 165 × 9/330 = 4.50, 165 × 30/330 = 15.00
        (ROUND, D("165.00"), {CASH: D("-165.00"), HP: D("145.50"), HF: D("4.50"), TAX: D("15.00")}),
        # 50 % of (396.66 − 40) = 178.33: 178.33 × 10/356.66 = 5.0000.. → 5.00,
        # 178.33 × 23.33/356.66 = 11.6650.. → 11.67 (half up), host payable takes the rest
        (ODD, D("178.33"), {CASH: D("-178.33"), HP: D("161.66"), HF: D("5.00"), TAX: D("11.67")}),
        # one cent: the shares round to nothing, the cent lands on host payable
        (ODD, D("0.01"), {CASH: D("-0.01"), HP: D("0.01")}),
        # the whole refundable base: everything but the service fee comes back
        (ROUND, D("330.00"), {CASH: D("-330.00"), HP: D("291.00"), HF: D("9.00"), TAX: D("30.00")}),
    ],
)
def test_partial_refund_split(charge, amount, expected):
    postings = rules.refund_postings(charge, amount=amount)
    assert postings == expected
    assert balanced(postings)
    assert GF not in postings  # the guest's service fee is kept


@pytest.mark.parametrize("charge", [ROUND, ODD])
@pytest.mark.parametrize("steps", [(D("0.01"), D("0.01")), (D("100.00"), D("50.00"), D("0.03"))])
def test_successive_refunds_then_the_rest_reverse_the_payment_exactly(charge, steps):
    refunded, taken = D("0"), {}
    for amount in (*steps, charge.total - sum(steps)):
        postings = rules.refund_postings(charge, amount=amount, already_refunded=refunded)
        assert balanced(postings)
        refunded += amount
        for kind, value in postings.items():
            taken[kind] = taken.get(kind, D("0")) + value
    assert taken == {kind: -amount for kind, amount in rules.payment_postings(charge).items()}


def test_payout_moves_host_payable_to_provider_cash():
    assert rules.payout_postings(D("291.00")) == {HP: D("291.00"), CASH: D("-291.00")}


@pytest.mark.parametrize(
    ("refunded", "host_share"),
    [(D("0"), D("291.00")), (D("165.00"), D("145.50")), (D("366.00"), D("0.00"))],
)
def test_host_share_after_refunds(refunded, host_share):
    assert rules.host_share_after_refunds(ROUND, refunded) == host_share
