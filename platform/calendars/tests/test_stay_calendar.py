"""What a quote reads in one query (calendars.selectors.listing_with_stay_calendar): the
listing's own row exactly as the ORM loads it, the stay's overrides, closed nights and
occupancies, the same visibility as `listing_visible_to`, and on PostgreSQL through indexes."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from calendars.models import CalendarDay, Occupancy
from calendars.selectors import StayCalendar, listing_with_stay_calendar, stay_calendar
from listings.models import Listing
from tests.factories import ListingFactory, UserFactory, future, make_booking

pytestmark = pytest.mark.django_db

ANON = AnonymousUser()


def values(listing: Listing) -> list:
    return [(getattr(listing, f.attname), type(getattr(listing, f.attname))) for f in
            Listing._meta.concrete_fields]  # fmt: skip


def test_the_listing_is_loaded_as_the_orm_loads_it():
    listing = ListingFactory(weekend_price=Decimal("130.50"), weekly_discount=Decimal("7.5"))
    found, _calendar = listing_with_stay_calendar(ANON, listing.pk, future(10), future(13))
    assert values(found) == values(Listing.objects.get(pk=listing.pk))
    assert found._state.adding is False and found._state.db == "default"
    found_by_text_id, _ = listing_with_stay_calendar(ANON, str(listing.pk), future(10), future(13))
    assert found_by_text_id.pk == listing.pk


def test_the_stay_s_overrides_closed_nights_and_occupancies():
    listing = ListingFactory()
    CalendarDay.objects.create(listing=listing, date=future(9), price=Decimal("999"))  # before
    CalendarDay.objects.create(listing=listing, date=future(10), price=Decimal("150.25"))
    CalendarDay.objects.create(listing=listing, date=future(11), is_blocked=True)
    CalendarDay.objects.create(listing=listing, date=future(12), price=Decimal("90"),
                               is_blocked=True)  # fmt: skip
    CalendarDay.objects.create(listing=listing, date=future(13), is_blocked=True)  # check-out
    _, calendar = listing_with_stay_calendar(ANON, listing.pk, future(10), future(13))
    assert calendar == StayCalendar(
        prices={future(10): Decimal("150.25"), future(12): Decimal("90.00")},
        closed={future(11), future(12)},
        occupied=False,
    )
    assert not calendar.free
    assert stay_calendar(listing, future(10), future(13)) == calendar


@pytest.mark.parametrize(
    ("start", "end", "active", "occupied"),
    [
        (20, 23, True, True),  # the same nights
        (22, 25, True, True),  # its last night
        (17, 20, True, False),  # ends on the stay's check-in
        (23, 26, True, False),  # starts on the stay's check-out
        (20, 23, False, False),  # cancelled
    ],
)
def test_an_occupancy_overlapping_the_nights_makes_them_occupied(start, end, active, occupied):
    listing = ListingFactory()
    Occupancy.objects.create(listing=listing, kind=Occupancy.Kind.BLOCK, start=future(start),
                             end=future(end), is_active=active)  # fmt: skip
    other = ListingFactory()
    make_booking(listing=other, check_in=future(20))  # another listing's stay
    _, calendar = listing_with_stay_calendar(ANON, listing.pk, future(20), future(23))
    assert calendar == StayCalendar(prices={}, closed=set(), occupied=occupied)
    assert calendar.free is not occupied
    assert stay_calendar(listing, future(20), future(23)) == calendar


def test_a_draft_is_read_for_its_host_only():
    draft = ListingFactory(status=Listing.Status.DRAFT)
    stay = (future(10), future(13))
    assert listing_with_stay_calendar(ANON, draft.pk, *stay) is None
    assert listing_with_stay_calendar(UserFactory(), draft.pk, *stay) is None
    found, _ = listing_with_stay_calendar(draft.host, draft.pk, *stay)
    assert found.pk == draft.pk
    published = ListingFactory()
    assert listing_with_stay_calendar(UserFactory(), published.pk, *stay)[0].pk == published.pk


def test_one_query_whatever_the_calendar(django_assert_num_queries):
    listing = ListingFactory()
    for day in range(10, 16):
        CalendarDay.objects.create(listing=listing, date=future(day), price=Decimal(100 + day))
    make_booking(listing=listing, check_in=future(20))
    with django_assert_num_queries(1):
        listing_with_stay_calendar(listing.host, listing.pk, future(10), future(25))
    with django_assert_num_queries(1):
        stay_calendar(listing, future(10), future(25))


@pytest.mark.postgres
def test_the_query_reads_its_three_tables_through_indexes():
    """A few thousand rows, ANALYZEd, are enough for the planner to prefer an index wherever
    one applies: a sequential scan here is one at 10,000 listings."""
    host = UserFactory()
    listings = Listing.objects.bulk_create(
        Listing(host=host, title=f"Stay {i}", city="Lisbon", country="PT",
                nightly_price=Decimal(100), status=Listing.Status.PUBLISHED)
        for i in range(2000)
    )  # fmt: skip
    today = dt.date.today()
    CalendarDay.objects.bulk_create(
        CalendarDay(listing=listing, date=today + dt.timedelta(days=d), price=Decimal(120))
        for listing in listings
        for d in range(0, 60, 6)
    )
    Occupancy.objects.bulk_create(
        Occupancy(listing=listing, kind=Occupancy.Kind.BOOKING,
                  start=today + dt.timedelta(days=30 * k),
                  end=today + dt.timedelta(days=30 * k + 3))
        for listing in listings
        for k in range(-3, 2)
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE listings_listing, calendars_calendarday, calendars_occupancy")
    with CaptureQueriesContext(connection) as queries:
        listing_with_stay_calendar(host, listings[7].pk, future(10), future(13))
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {queries.captured_queries[-1]['sql']}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    for table in ("listings_listing", "calendars_calendarday", "calendars_occupancy"):
        assert f"Seq Scan on {table} " not in plan, plan
