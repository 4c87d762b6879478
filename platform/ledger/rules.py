"""The posting rules, as pure functions (no ORM): what each money event debits and credits.

Amounts are signed: positive debits an account, negative credits it. Provider cash is an asset
(debit-normal); host payable, the two fee revenues and taxes payable are credit-normal.

- A payment of `total` debits provider cash by the total and credits host payable with
  base − host fee, guest-fee revenue with the service fee, host-fee revenue with the host fee
  and taxes payable with the taxes (base = total − service fee − taxes).
- A refund credits provider cash and takes the amount back from the other accounts. Up to
  total − service fee it is taken from host payable, host-fee revenue and taxes in proportion to
  their shares of (total − service fee), each rounded half up, the last cent on host payable;
  the guest's service fee is kept. Refunding the whole total reverses the payment exactly.
  Several refunds of one payment are split as the difference between what the cumulative
  amounts take, so their sum never takes more from an account than the payment gave it.
- A paid payout debits host payable and credits provider cash.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from common.money import money

PROVIDER_CASH = "provider_cash"
HOST_PAYABLE = "host_payable"
GUEST_FEE_REVENUE = "guest_fee_revenue"
HOST_FEE_REVENUE = "host_fee_revenue"
TAXES_PAYABLE = "taxes_payable"

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Charge:
    """The parts of a booking's total (the booking's immutable price snapshot)."""

    total: Decimal
    service_fee: Decimal
    taxes: Decimal
    host_fee: Decimal

    @classmethod
    def of(cls, booking) -> Charge:
        return cls(booking.total, booking.service_fee, booking.taxes, booking.host_fee)

    @property
    def base(self) -> Decimal:
        return self.total - self.service_fee - self.taxes

    @property
    def host_share(self) -> Decimal:
        return self.base - self.host_fee

    @property
    def refundable_base(self) -> Decimal:
        """What a partial refund is taken from: everything but the guest's service fee."""
        return self.total - self.service_fee


def payment_postings(charge: Charge) -> dict[str, Decimal]:
    return _nonzero(
        {
            PROVIDER_CASH: charge.total,
            HOST_PAYABLE: -charge.host_share,
            GUEST_FEE_REVENUE: -charge.service_fee,
            HOST_FEE_REVENUE: -charge.host_fee,
            TAXES_PAYABLE: -charge.taxes,
        }
    )


def refund_taken(charge: Charge, refunded: Decimal) -> dict[str, Decimal]:
    """What refunds adding up to `refunded` take from each credit account (positive amounts)."""
    refunded = money(refunded)
    if refunded >= charge.total:
        return {
            HOST_PAYABLE: charge.host_share,
            HOST_FEE_REVENUE: charge.host_fee,
            TAXES_PAYABLE: charge.taxes,
            GUEST_FEE_REVENUE: charge.service_fee,
        }
    basis = charge.refundable_base
    part = min(refunded, basis)
    host_fee = money(part * charge.host_fee / basis) if basis > 0 else ZERO
    taxes = money(part * charge.taxes / basis) if basis > 0 else ZERO
    return {
        HOST_PAYABLE: part - host_fee - taxes,  # the last cent lands here
        HOST_FEE_REVENUE: host_fee,
        TAXES_PAYABLE: taxes,
        GUEST_FEE_REVENUE: refunded - part,  # only once more than the base is refunded
    }


def refund_postings(
    charge: Charge, *, amount: Decimal, already_refunded: Decimal = ZERO
) -> dict[str, Decimal]:
    """The postings of refunding `amount` after `already_refunded` was refunded."""
    before = refund_taken(charge, already_refunded)
    after = refund_taken(charge, already_refunded + amount)
    postings = {PROVIDER_CASH: -money(amount)}
    postings.update({kind: after[kind] - before[kind] for kind in after})
    return _nonzero(postings)


def payout_postings(amount: Decimal) -> dict[str, Decimal]:
    return _nonzero({HOST_PAYABLE: money(amount), PROVIDER_CASH: -money(amount)})


def host_share_after_refunds(charge: Charge, refunded: Decimal) -> Decimal:
    """What the host is owed for a booking once `refunded` went back to the guest."""
    return charge.host_share - refund_taken(charge, refunded)[HOST_PAYABLE]


def _nonzero(postings: dict[str, Decimal]) -> dict[str, Decimal]:
    return {kind: amount for kind, amount in postings.items() if amount != 0}
