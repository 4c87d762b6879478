"""Changelists cost the same number of queries with 10 rows or thousands (bulk_create)."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from bookings.models import Booking, BookingStatus
from listings.cache import listings_changed
from listings.models import Listing
from reviews.models import Review
from tests.factories import ListingFactory, UserFactory

pytestmark = pytest.mark.django_db

MAX_QUERIES = 20


def bulk_listings(host, n):
    # bulk_create bypasses the signals: say what changed, as imports do (listings.cache).
    listings_changed(
        listing.pk
        for listing in Listing.objects.bulk_create(
            Listing(
                host=host,
                title=f"Bulk {i}",
                city=f"City {i % 7}",
                country="PT",
                nightly_price=Decimal("80"),
                status=Listing.Status.PUBLISHED,
            )
            for i in range(n)
        )  # fmt: skip
    )


def bulk_bookings_and_reviews(listing, guest, n):
    start = dt.date(2024, 1, 1)
    bookings = Booking.objects.bulk_create(
        Booking(
            id=uuid.uuid4(), guest=guest, listing=listing, guests=1,
            check_in=start + dt.timedelta(days=2 * i),
            check_out=start + dt.timedelta(days=2 * i + 1),
            status=BookingStatus.COMPLETED, currency="EUR", nightly_subtotal=80, discount=0,
            cleaning_fee=0, service_fee=10, taxes=0, total=90, host_fee=2, price_snapshot={},
            cancellation_policy="moderate", policy_snapshot={},
        )
        for i in range(n)
    )  # fmt: skip
    Review.objects.bulk_create(
        Review(booking=b, listing=listing, author=guest, rating=4, comment="ok") for b in bookings
    )


@pytest.mark.parametrize(
    ("who", "url_name"),
    [
        ("as_staff", "admin:listings_listing_changelist"),
        ("as_host", "admin:listings_listing_changelist"),
        ("as_staff", "admin:bookings_booking_changelist"),
        ("as_host", "admin:bookings_booking_changelist"),
        ("as_moderator", "admin:reviews_review_changelist"),
        ("as_auditor", "admin:reviews_review_changelist"),
        ("as_staff", "admin:payments_payout_changelist"),
        ("as_staff", "admin:calendars_calendarday_changelist"),
        ("as_staff", "admin:calendar_timeline"),
    ],
)
def test_changelists_keep_a_constant_query_count(
    request, host, who, url_name, django_assert_max_num_queries
):
    client = request.getfixturevalue(who)
    listing = ListingFactory(host=host)
    guest = UserFactory()

    def queries_for_page():
        with django_assert_max_num_queries(MAX_QUERIES) as captured:
            assert client.get(reverse(url_name)).status_code == 200
        return len(captured.captured_queries)

    bulk_listings(host, 10)
    bulk_bookings_and_reviews(listing, guest, 10)
    small = queries_for_page()
    bulk_listings(host, 2000)
    bulk_bookings_and_reviews(listing, guest, 2000)
    assert queries_for_page() == small
