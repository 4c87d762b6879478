"""The hosts' calendar: a window of nights for several listings, range price and unblock."""

from decimal import Decimal

import pytest

from calendars.models import CalendarDay, HostBlock
from calendars.selectors import calendar_grid
from calendars.services import (
    calendar_day_set,
    calendar_nights_open,
    calendar_price_set,
    host_block_create,
)
from common.errors import NotPermitted, ValidationFailed
from tests.factories import ListingFactory, UserFactory, future, make_booking

pytestmark = pytest.mark.django_db


def blocked_ranges(listing):
    return list(
        HostBlock.objects.filter(listing=listing, is_active=True)
        .order_by("start")
        .values_list("start", "end")
    )


def test_the_grid_says_each_nights_price_and_why_and_who_stays():
    listing = ListingFactory(nightly_price=Decimal("100"), weekend_price=Decimal("150"))
    guest = UserFactory(first_name="Gina")
    booking = make_booking(listing=listing, guest=guest, check_in=future(10), nights=3)
    host_block_create(listing=listing, start=future(20), end=future(22), note="Painting",
                      actor=listing.host)  # fmt: skip
    calendar_day_set(listing=listing, day=future(15), actor=listing.host, price=Decimal("99"))
    calendar_day_set(listing=listing, day=future(16), actor=listing.host, is_blocked=True)

    (cal,) = calendar_grid([listing], future(1), future(31))
    nights = {n.date: n for n in cal.nights}
    assert len(cal.nights) == 30
    assert (nights[future(15)].price, nights[future(15)].reason) == (Decimal("99.00"), "override")
    assert nights[future(16)].closed and not nights[future(15)].closed
    weekend = next(n for n in cal.nights if n.date.weekday() == 4 and n.reason != "override")
    assert (weekend.price, weekend.reason) == (Decimal("150.00"), "weekend")
    stay = cal.stay_on(future(11))
    assert (stay.label, stay.status, stay.booking_id) == ("Gina", booking.status, booking.pk)
    assert (stay.start, stay.end) == (future(10), future(13))
    block = cal.stay_on(future(21))
    assert (block.label, block.status, block.booking_id) == ("Painting", "block", None)
    assert cal.stay_on(future(13)) is None  # check-out day is free


def test_the_grid_costs_two_queries_for_any_number_of_listings(django_assert_num_queries):
    listings = [ListingFactory() for _ in range(6)]
    for i, listing in enumerate(listings):
        make_booking(listing=listing, check_in=future(3 + i), nights=2)
        calendar_day_set(listing=listing, day=future(20), actor=listing.host, price="80")
    with django_assert_num_queries(2):
        grid = calendar_grid(listings, future(1), future(32))
    assert [len(c.stays) for c in grid] == [1] * 6
    assert all(len(c.nights) == 31 for c in grid)


def test_a_price_is_set_and_cleared_over_a_range_keeping_closed_nights_closed():
    listing = ListingFactory(nightly_price=Decimal("100"))
    calendar_day_set(listing=listing, day=future(6), actor=listing.host, is_blocked=True)
    assert calendar_price_set(listing=listing, start=future(5), end=future(8), price="120",
                              actor=listing.host) == 3  # fmt: skip
    rows = list(CalendarDay.objects.order_by("date").values_list("date", "price", "is_blocked"))
    assert rows == [(future(5), Decimal("120.00"), False), (future(6), Decimal("120.00"), True),
                    (future(7), Decimal("120.00"), False)]  # fmt: skip
    calendar_price_set(listing=listing, start=future(5), end=future(8), price=None,
                       actor=listing.host)  # fmt: skip
    rows = list(CalendarDay.objects.values_list("date", "price", "is_blocked"))
    assert rows == [(future(6), None, True)]


@pytest.mark.parametrize(
    ("price", "start", "end", "code"),
    [("-1", 5, 8, "invalid_price"), ("0", 5, 8, "invalid_price"), ("90", 8, 5, "dates_invalid"),
     ("90", -2, 3, "past_dates")],
)  # fmt: skip
def test_a_range_price_is_refused_with_a_reason(price, start, end, code):
    listing = ListingFactory()
    with pytest.raises(ValidationFailed) as refused:
        calendar_price_set(listing=listing, start=future(start), end=future(end), price=price,
                           actor=listing.host)  # fmt: skip
    assert refused.value.code == code
    assert not CalendarDay.objects.exists()


def test_unblocking_the_middle_of_a_block_splits_it_and_reopens_closed_nights():
    listing = ListingFactory()
    host_block_create(listing=listing, start=future(10), end=future(20), note="Owner",
                      actor=listing.host)  # fmt: skip
    calendar_day_set(listing=listing, day=future(25), actor=listing.host, price="90",
                     is_blocked=True)  # fmt: skip
    opened = calendar_nights_open(listing=listing, start=future(12), end=future(26),
                                  actor=listing.host)  # fmt: skip
    assert opened == 9  # 12..19 from the block, 25 closed
    assert blocked_ranges(listing) == [(future(10), future(12))]
    assert list(CalendarDay.objects.values_list("price", "is_blocked")) == [
        (Decimal("90.00"), False)
    ]
    calendar_nights_open(listing=listing, start=future(11), end=future(11 + 1),
                         actor=listing.host)  # fmt: skip
    assert blocked_ranges(listing) == [(future(10), future(11))]
    assert HostBlock.objects.get(is_active=True).note == "Owner"


def test_unblocking_leaves_bookings_alone_and_is_the_hosts_business():
    listing = ListingFactory()
    make_booking(listing=listing, check_in=future(10), nights=3)
    assert calendar_nights_open(listing=listing, start=future(9), end=future(14),
                                actor=listing.host) == 0  # fmt: skip
    (cal,) = calendar_grid([listing], future(9), future(14))
    assert cal.stay_on(future(10)).kind == "booking"
    with pytest.raises(NotPermitted):
        calendar_nights_open(listing=listing, start=future(9), end=future(14),
                             actor=UserFactory())  # fmt: skip
