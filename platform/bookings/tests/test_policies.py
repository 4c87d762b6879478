"""Refund rules at each policy's day boundaries (pure)."""

from decimal import Decimal

import pytest

from bookings.policies import refund_amount

D = Decimal
TOTAL, FEE = D("336.00"), D("36.00")  # 50 % of (total - fee) = 150.00


@pytest.mark.parametrize(
    ("policy", "days_before", "expected"),
    [
        ("flexible", 30, "336.00"), ("flexible", 1, "336.00"), ("flexible", 0, "0.00"),
        ("flexible", -2, "0.00"),
        ("moderate", 5, "336.00"), ("moderate", 4, "150.00"), ("moderate", 1, "150.00"),
        ("moderate", 0, "0.00"),
        ("strict", 14, "336.00"), ("strict", 13, "150.00"), ("strict", 7, "150.00"),
        ("strict", 6, "0.00"),
    ],
)  # fmt: skip
def test_guest_cancellation_refund(policy, days_before, expected):
    amount = refund_amount(
        policy=policy, days_before=days_before, total=TOTAL, service_fee=FEE, amount_paid=TOTAL
    )
    assert amount == D(expected)


@pytest.mark.parametrize("policy", ["flexible", "moderate", "strict"])
def test_host_or_staff_cancellation_refunds_everything_paid(policy):
    amount = refund_amount(
        policy=policy, days_before=0, total=TOTAL, service_fee=FEE, amount_paid=TOTAL,
        by_host_or_staff=True,
    )  # fmt: skip
    assert amount == TOTAL


@pytest.mark.parametrize("by_host", [False, True])
def test_nothing_paid_nothing_refunded(by_host):
    amount = refund_amount(
        policy="flexible", days_before=30, total=TOTAL, service_fee=FEE, amount_paid=D("0"),
        by_host_or_staff=by_host,
    )  # fmt: skip
    assert amount == D("0.00")


@pytest.mark.parametrize(("policy", "days_before"), [("moderate", 3), ("strict", 7)])
def test_half_refund_rounds_half_up(policy, days_before):
    # 50 % of (336.05 - 36.00) = 150.025 -> 150.03 (half-even would give 150.02)
    amount = refund_amount(
        policy=policy,
        days_before=days_before,
        total=D("336.05"),
        service_fee=FEE,
        amount_paid=D("336.05"),
    )
    assert amount == D("150.03")
