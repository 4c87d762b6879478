"""The quote's body, written out (serializers.quote_data), is the Quote serializer's for every
quote: the core's own (each rule of pricing.quote) and amounts it never states (not in cents,
negative, too long, not a Decimal)."""

import datetime as dt
import itertools
import uuid
from decimal import Decimal

import pytest
from django.conf import settings

from bookings import pricing
from public_api.rest.listings import serializers as s

MONDAY = dt.date(2031, 3, 3)


def body_of(quote: pricing.Quote, guests: int = 2) -> dict:
    return {**vars(quote), "listing": uuid.uuid4(), "guests": guests, "nights": quote.nights}


def two_nights() -> pricing.Quote:
    end = MONDAY + dt.timedelta(days=2)
    return pricing.quote(rules(), MONDAY, end, guest_fee_rate=D12, host_fee_rate=D3)


D12, D3 = Decimal("0.12"), Decimal("0.03")


def rules(**terms) -> pricing.PriceRules:
    return pricing.PriceRules(**{"nightly_price": Decimal("100"), **terms})


RULES = [
    rules(),
    rules(nightly_price=Decimal("99.99"), weekend_price=Decimal("120.50")),
    rules(cleaning_fee=Decimal("35"), weekly_discount=Decimal("10"), tax_rate=Decimal("7.5")),
    rules(nightly_price=Decimal("0.01"), monthly_discount=Decimal("33.3"), tax_rate=Decimal("0")),
    rules(nightly_price=Decimal("123456.78"), weekend_price=Decimal("999999.99"),
          cleaning_fee=Decimal("999.99"), weekly_discount=Decimal("5.55"),
          monthly_discount=Decimal("12.5"), tax_rate=Decimal("19.25"), currency="CHF"),
]  # fmt: skip
STAYS = [(0, 1), (3, 6), (4, 11), (0, 28), (2, 33), (0, 365)]
OVERRIDES = [{}, {MONDAY + dt.timedelta(days=1): Decimal("150.255")},
             {MONDAY + dt.timedelta(days=d): Decimal(80 + d) for d in range(0, 40, 3)}]  # fmt: skip


@pytest.mark.parametrize(
    ("terms", "stay", "overrides"), list(itertools.product(RULES, STAYS, OVERRIDES))
)
def test_every_quote_of_the_core_is_sent_as_the_serializer_sends_it(terms, stay, overrides):
    check_in = MONDAY + dt.timedelta(days=stay[0])
    check_out = MONDAY + dt.timedelta(days=stay[1])
    quote = pricing.quote(terms, check_in, check_out, overrides=overrides,
                          guest_fee_rate=settings.GUEST_SERVICE_FEE_RATE,
                          host_fee_rate=settings.HOST_SERVICE_FEE_RATE)  # fmt: skip
    body = body_of(quote)
    assert s.quote_data(body) == s.Quote(body).data
    assert list(s.quote_data(body)) == list(s.Quote(body).data)  # the same order


@pytest.mark.parametrize(
    "amount",
    [Decimal("1.005"), Decimal("1.5"), Decimal("7"), Decimal("-0.00"), Decimal("-12.34"),
     Decimal("1E+3"), Decimal("9999999999.99"), 12, 3.5, "4.20"],
)  # fmt: skip
def test_an_amount_not_stated_in_cents_is_sent_as_the_serializer_sends_it(amount):
    quote = two_nights()
    body = {**body_of(quote), "total": amount, "taxes": amount}
    assert s.quote_data(body) == s.Quote(body).data


def test_an_amount_beyond_twelve_digits_fails_as_in_the_serializer():
    quote = two_nights()
    body = {**body_of(quote), "total": Decimal("12345678901.23")}
    with pytest.raises(Exception) as expected:
        s.Quote(body).data  # noqa: B018
    with pytest.raises(type(expected.value)):
        s.quote_data(body)
