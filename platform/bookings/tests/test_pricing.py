"""Table-driven tests of the quote arithmetic (pure: no database)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from bookings.pricing import NightPrice, PriceRules, night_price, night_reason, quote, stay_nights

D = Decimal
FEE, HOST_FEE = D("0.12"), D("0.03")
MON = date(2027, 3, 1)  # a Monday


def q(rules, check_in, nights, overrides=None):
    from datetime import timedelta

    return quote(
        rules, check_in, check_in + timedelta(days=nights), overrides=overrides,
        guest_fee_rate=FEE, host_fee_rate=HOST_FEE,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("rules", "check_in", "nights", "overrides", "expected"),
    [
        # plain weekday nights, no fees or taxes: 3 x 100
        (PriceRules(D("100")), MON, 3, None,
         {"nightly_subtotal": "300.00", "discount": "0.00", "service_fee": "36.00",
          "taxes": "0.00", "total": "336.00", "host_fee": "9.00"}),
        # Mon..Sun, weekend price applies to Fri and Sat nights only: 5*100 + 2*150 = 800
        (PriceRules(D("100"), weekend_price=D("150")), MON, 7, None,
         {"nightly_subtotal": "800.00", "discount": "0.00", "total": "896.00"}),
        # a date override beats the weekend price
        (PriceRules(D("100"), weekend_price=D("150")), date(2027, 3, 5), 1,
         {date(2027, 3, 5): D("80")}, {"nightly_subtotal": "80.00"}),
        # weekly discount at exactly 7 nights, cleaning fee and taxes on the base
        (PriceRules(D("100"), cleaning_fee=D("50"), weekly_discount=D("10"), tax_rate=D("5")),
         MON, 7, None,
         {"nightly_subtotal": "700.00", "discount": "70.00", "cleaning_fee": "50.00",
          "service_fee": "81.60", "taxes": "34.00", "total": "795.60", "host_fee": "20.40"}),
        # 6 nights: no weekly discount yet
        (PriceRules(D("100"), weekly_discount=D("10")), MON, 6, None, {"discount": "0.00"}),
        # 28 nights: monthly replaces weekly
        (PriceRules(D("100"), weekly_discount=D("10"), monthly_discount=D("25")), MON, 28, None,
         {"nightly_subtotal": "2800.00", "discount": "700.00"}),
        # 28 nights without a monthly discount falls back to weekly
        (PriceRules(D("100"), weekly_discount=D("10")), MON, 28, None, {"discount": "280.00"}),
        # rounding half up at every component: 33.33*3 = 99.99; 12% of 99.99 = 11.9988 -> 12.00
        (PriceRules(D("33.33"), tax_rate=D("7.5")), MON, 3, None,
         {"nightly_subtotal": "99.99", "service_fee": "12.00", "taxes": "7.50", "total": "119.49"}),
        # a true half cent: 6 x 100 + 100.25 = 700.25; 10 % = 70.025 -> 70.03 (half-even: 70.02)
        (PriceRules(D("100"), weekly_discount=D("10")), MON, 7, {date(2027, 3, 7): D("100.25")},
         {"nightly_subtotal": "700.25", "discount": "70.03", "service_fee": "75.63"}),
    ],
)  # fmt: skip
def test_quote_components(rules, check_in, nights, overrides, expected):
    result = q(rules, check_in, nights, overrides)
    for key, value in expected.items():
        assert getattr(result, key) == D(value), key
    assert result.total == result.base + result.service_fee + result.taxes
    assert result.nights == nights


def test_snapshot_is_json_safe_and_complete():
    snap = q(PriceRules(D("100"), weekend_price=D("120")), date(2027, 3, 4), 3).as_snapshot()
    assert snap["nights"] == 3
    assert [n["price"] for n in snap["nightly"]] == ["100.00", "120.00", "120.00"]
    assert [n["reason"] for n in snap["nightly"]] == ["weekday", "weekend", "weekend"]
    assert snap["total"] == "380.80"
    assert snap["check_in"] == "2027-03-04"


def test_each_night_says_why_it_costs_what_it_costs():
    rules = PriceRules(D("100"), weekend_price=D("120"))
    overrides = {date(2027, 3, 6): D("90")}  # a Saturday
    result = quote(rules, date(2027, 3, 4), date(2027, 3, 8), overrides=overrides,
                   guest_fee_rate=D("0"), host_fee_rate=D("0"))  # fmt: skip
    assert [(n.price, n.reason) for n in result.nightly] == [
        (D("100.00"), "weekday"), (D("120.00"), "weekend"), (D("90.00"), "override"),
        (D("100.00"), "weekday"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    "rules",
    [PriceRules(D("100")), PriceRules(D("99.995"), weekend_price=D("120.005")),
     PriceRules(D("80"), weekend_price=D("80"))],
)  # fmt: skip
@pytest.mark.parametrize(
    "overrides",
    [None, {MON + timedelta(days=4): D("70.125")},
     {MON + timedelta(days=d): D(50 + d) for d in range(0, 40, 2)},
     {MON + timedelta(days=5): None}],
)  # fmt: skip
def test_each_night_is_night_price_for_night_reason(rules, overrides):
    """The quote prices each night as `night_price` and `night_reason` state it (the
    availability calendar and the back-office read those)."""
    for start, nights in [(0, 1), (3, 4), (0, 30), (5, 45)]:
        check_in = MON + timedelta(days=start)
        nightly = q(rules, check_in, nights, overrides).nightly
        own = overrides or {}
        assert nightly == [
            NightPrice(d, night_price(rules, d, own), night_reason(rules, d, own))
            for d in stay_nights(check_in, check_in + timedelta(days=nights))
        ]
