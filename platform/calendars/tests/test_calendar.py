import datetime as dt
from decimal import Decimal

import pytest

from calendars.models import CalendarDay, HostBlock
from calendars.selectors import listing_availability, occupied_ranges
from calendars.services import calendar_day_set, host_block_create, host_block_delete
from common.errors import DomainError, NotFound, NotPermitted, ValidationFailed
from tests.factories import ListingFactory, UserFactory, future, make_booking

pytestmark = pytest.mark.django_db


def test_availability_marks_taken_and_closed_nights_with_prices():
    listing = ListingFactory(nightly_price=Decimal("100"))
    make_booking(listing=listing, check_in=future(10), nights=2)
    calendar_day_set(listing=listing, day=future(13), actor=listing.host, is_blocked=True)
    calendar_day_set(listing=listing, day=future(14), actor=listing.host, price=Decimal("175"))
    days = {d.date: d for d in listing_availability(listing, future(9), future(15))}
    assert [days[future(i)].available for i in range(9, 15)] == [
        True, False, False, True, False, True,
    ]  # fmt: skip
    assert days[future(14)].price == Decimal("175.00")


def test_availability_query_count_is_fixed(django_assert_max_num_queries):
    listing = ListingFactory()
    for i in range(5):
        make_booking(listing=listing, check_in=future(10 + 4 * i), nights=2)
    with django_assert_max_num_queries(2):
        assert len(listing_availability(listing, future(1), future(300))) == 299


def test_blocks_are_the_hosts_business():
    listing = ListingFactory()
    with pytest.raises(NotPermitted):
        host_block_create(listing=listing, start=future(5), end=future(7), actor=UserFactory())
    block = host_block_create(listing=listing, start=future(5), end=future(7), actor=listing.host)
    assert isinstance(block, HostBlock) and block.nights == 2
    with pytest.raises(NotPermitted):
        host_block_delete(block=block, actor=UserFactory())
    host_block_delete(block=block, actor=listing.host)
    assert not HostBlock.objects.exists()


@pytest.mark.parametrize(("start", "end", "code"), [(7, 5, "dates_invalid"),
                                                    (5, 5, "dates_invalid"),
                                                    (1, 400, "range_too_long"),
                                                    (-2, 3, "past_dates")])  # fmt: skip
def test_block_ranges_are_validated(start, end, code):
    listing = ListingFactory()
    with pytest.raises(ValidationFailed) as exc:
        host_block_create(listing=listing, start=future(start), end=future(end), actor=listing.host)
    assert exc.value.code == code


def test_a_booked_night_cannot_be_closed_and_overrides_clear():
    listing = ListingFactory()
    make_booking(listing=listing, check_in=future(10), nights=2)
    with pytest.raises(DomainError) as exc:
        calendar_day_set(listing=listing, day=future(11), actor=listing.host, is_blocked=True)
    assert exc.value.code == "dates_unavailable"
    calendar_day_set(listing=listing, day=future(20), actor=listing.host, price=Decimal("90"))
    calendar_day_set(listing=listing, day=future(20), actor=listing.host)
    assert not CalendarDay.objects.exists()
    with pytest.raises(ValidationFailed):
        calendar_day_set(listing=listing, day=future(20), actor=listing.host, price=Decimal("0"))


def test_others_drafts_are_not_found():
    draft = ListingFactory(status="draft")
    with pytest.raises(NotFound):
        host_block_create(listing=draft, start=future(5), end=future(7), actor=UserFactory())


def test_occupied_ranges_merge_touching_stays():
    listing = ListingFactory()
    make_booking(listing=listing, check_in=future(10), nights=2)
    make_booking(listing=listing, check_in=future(12), nights=3)
    host_block_create(listing=listing, start=future(20), end=future(22), actor=listing.host)
    assert occupied_ranges(listing) == [(future(10), future(15)), (future(20), future(22))]
    assert occupied_ranges(listing, start=future(16)) == [(future(20), future(22))]
    assert future(15) - future(10) == dt.timedelta(days=5)


def test_past_nights_are_never_available():
    listing = ListingFactory()
    days = listing_availability(listing, future(-3), future(2))
    assert [d.available for d in days] == [False, False, False, True, True]


def test_past_nights_cannot_be_overridden():
    listing = ListingFactory()
    with pytest.raises(ValidationFailed) as exc:
        calendar_day_set(listing=listing, day=future(-1), actor=listing.host, price=Decimal("90"))
    assert exc.value.code == "past_dates"
    assert not CalendarDay.objects.exists()
