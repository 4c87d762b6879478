"""The quote: pure arithmetic, no ORM, so it is easy to table-test.

Every component is rounded half-up to cents as it is computed, and totals are sums of the
rounded components, so the lines always add up to the total a guest sees.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from common.money import money, percent_of

WEEKLY_NIGHTS = 7
MONTHLY_NIGHTS = 28
FRIDAY, SATURDAY = 4, 5


@dataclass(frozen=True)
class PriceRules:
    """The pricing terms of a listing, detached from the model."""

    nightly_price: Decimal
    weekend_price: Decimal | None = None
    cleaning_fee: Decimal = Decimal("0")
    weekly_discount: Decimal = Decimal("0")  # percent
    monthly_discount: Decimal = Decimal("0")  # percent
    tax_rate: Decimal = Decimal("0")  # percent
    currency: str = "EUR"

    @classmethod
    def of(cls, listing) -> PriceRules:
        return cls(
            nightly_price=listing.nightly_price,
            weekend_price=listing.weekend_price,
            cleaning_fee=listing.cleaning_fee,
            weekly_discount=listing.weekly_discount,
            monthly_discount=listing.monthly_discount,
            tax_rate=listing.tax_rate,
            currency=listing.currency,
        )


@dataclass(frozen=True)
class NightPrice:
    date: date
    price: Decimal
    reason: str = "weekday"  # why this price: "override", "weekend" or "weekday"


@dataclass(frozen=True)
class Quote:
    check_in: date
    check_out: date
    nightly: list[NightPrice] = field(default_factory=list)
    nightly_subtotal: Decimal = Decimal("0.00")
    discount: Decimal = Decimal("0.00")
    cleaning_fee: Decimal = Decimal("0.00")
    service_fee: Decimal = Decimal("0.00")
    taxes: Decimal = Decimal("0.00")
    total: Decimal = Decimal("0.00")
    host_fee: Decimal = Decimal("0.00")
    currency: str = "EUR"

    @property
    def nights(self) -> int:
        return len(self.nightly)

    @property
    def base(self) -> Decimal:
        """What the stay costs before the guest's service fee and taxes."""
        return self.nightly_subtotal - self.discount + self.cleaning_fee

    @property
    def host_payout(self) -> Decimal:
        return self.base - self.host_fee

    def booking_amounts(self) -> dict[str, Any]:
        """The booking's price columns as this quote states them: one list for every writer of
        bookings (the booking service, the demo seed)."""
        return {
            "currency": self.currency,
            "nightly_subtotal": self.nightly_subtotal,
            "discount": self.discount,
            "cleaning_fee": self.cleaning_fee,
            "service_fee": self.service_fee,
            "taxes": self.taxes,
            "total": self.total,
            "host_fee": self.host_fee,
        }

    def as_snapshot(self) -> dict:
        """A JSON-safe copy stored on the booking (immutable price record)."""
        data = asdict(self)
        data["nightly"] = [
            {"date": n.date.isoformat(), "price": str(n.price), "reason": n.reason}
            for n in self.nightly
        ]
        for key in ("check_in", "check_out"):
            data[key] = data[key].isoformat()
        for key, value in data.items():
            if isinstance(value, Decimal):
                data[key] = str(value)
        data["nights"] = self.nights
        return data


def night_reason(rules: PriceRules, night: date, overrides: dict[date, Decimal]) -> str:
    """Why a night costs what night_price says: the host's override, the weekend price, or
    the nightly (weekday) price."""
    if overrides.get(night) is not None:
        return "override"
    if rules.weekend_price is not None and night.weekday() in (FRIDAY, SATURDAY):
        return "weekend"
    return "weekday"


def night_price(rules: PriceRules, night: date, overrides: dict[date, Decimal]) -> Decimal:
    """Override if set, else the weekend price on Friday/Saturday nights if set, else nightly."""
    if overrides.get(night) is not None:
        return money(overrides[night])
    if rules.weekend_price is not None and night.weekday() in (FRIDAY, SATURDAY):
        return money(rules.weekend_price)
    return money(rules.nightly_price)


def stay_prices(
    rules: PriceRules, check_in: date, check_out: date, overrides: dict[date, Decimal]
) -> list[NightPrice]:
    """Each night's `night_price` and `night_reason`, with the rules' prices rounded once per
    stay rather than once per night."""
    weekday = money(rules.nightly_price)
    weekend = money(rules.weekend_price) if rules.weekend_price is not None else None
    nightly = []
    for night in stay_nights(check_in, check_out):
        override = overrides.get(night)
        if override is not None:
            nightly.append(NightPrice(night, money(override), "override"))
        elif weekend is not None and night.weekday() in (FRIDAY, SATURDAY):
            nightly.append(NightPrice(night, weekend, "weekend"))
        else:
            nightly.append(NightPrice(night, weekday, "weekday"))
    return nightly


def stay_nights(check_in: date, check_out: date) -> list[date]:
    return [check_in + timedelta(days=i) for i in range((check_out - check_in).days)]


def discount_percent(rules: PriceRules, nights: int) -> Decimal:
    if nights >= MONTHLY_NIGHTS and rules.monthly_discount:
        return Decimal(rules.monthly_discount)
    if nights >= WEEKLY_NIGHTS and rules.weekly_discount:
        return Decimal(rules.weekly_discount)
    return Decimal("0")


def quote(
    rules: PriceRules,
    check_in: date,
    check_out: date,
    *,
    overrides: dict[date, Decimal] | None = None,
    guest_fee_rate: Decimal,
    host_fee_rate: Decimal,
) -> Quote:
    nightly = stay_prices(rules, check_in, check_out, overrides or {})
    subtotal = money(sum((n.price for n in nightly), Decimal("0")))
    discount = percent_of(subtotal, discount_percent(rules, len(nightly)))
    cleaning = money(rules.cleaning_fee)
    base = subtotal - discount + cleaning
    service_fee = money(base * guest_fee_rate)
    taxes = percent_of(base, rules.tax_rate)
    return Quote(
        check_in=check_in,
        check_out=check_out,
        nightly=nightly,
        nightly_subtotal=subtotal,
        discount=discount,
        cleaning_fee=cleaning,
        service_fee=service_fee,
        taxes=taxes,
        total=base + service_fee + taxes,
        host_fee=money(base * host_fee_rate),
        currency=rules.currency,
    )
