"""Cancellation refunds: pure rules, table-tested.

days_before = check-in date − today, "today" taken in the listing's time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from common.money import money

FLEXIBLE, MODERATE, STRICT = "flexible", "moderate", "strict"


@dataclass(frozen=True)
class Tier:
    min_days: int  # applies when days_before >= min_days
    share: Decimal  # fraction refunded
    of_total: bool  # True: of the total; False: of total minus the (non-refundable) service fee


# Tiers are checked in order; no tier matching means no refund.
POLICIES: dict[str, tuple[Tier, ...]] = {
    FLEXIBLE: (Tier(1, Decimal("1"), True),),
    MODERATE: (Tier(5, Decimal("1"), True), Tier(1, Decimal("0.5"), False)),
    STRICT: (Tier(14, Decimal("1"), True), Tier(7, Decimal("0.5"), False)),
}

POLICY_DESCRIPTIONS = {
    FLEXIBLE: "Full refund up to 1 day before check-in.",
    MODERATE: "Full refund up to 5 days before check-in; 50% (excluding service fee) up to 1 day.",
    STRICT: "Full refund up to 14 days before check-in; 50% (excluding service fee) up to 7 days.",
}


def refund_amount(
    *,
    policy: str,
    days_before: int,
    total: Decimal,
    service_fee: Decimal,
    amount_paid: Decimal,
    by_host_or_staff: bool = False,
) -> Decimal:
    """What a cancellation refunds. Never more than was paid; nothing paid, nothing refunded."""
    if amount_paid <= 0:
        return Decimal("0.00")
    if by_host_or_staff:
        return money(amount_paid)
    for tier in POLICIES[policy]:
        if days_before >= tier.min_days:
            basis = total if tier.of_total else total - service_fee
            return min(money(basis * tier.share), money(amount_paid))
    return Decimal("0.00")
