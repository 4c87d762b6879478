"""The KPI selectors (bookings.kpis) on a small known marketplace, and the dashboard page."""

from decimal import Decimal

import pytest
from django.urls import reverse

from bookings.kpis import kpi_report
from bookings.services import booking_cancel
from calendars.services import host_block_create
from tests.factories import ListingFactory, ReviewFactory, future, make_booking, make_completed_stay

pytestmark = pytest.mark.django_db


@pytest.fixture
def market(host, other_host):
    mine = ListingFactory(host=host, city="Porto", nightly_price=Decimal("100.00"))
    theirs = ListingFactory(host=other_host, city="Faro", nightly_price=Decimal("50.00"))
    stay = make_completed_stay(listing=mine, ended_days_ago=1, nights=3)
    cancelled = make_booking(listing=mine, check_in=future(20))
    booking_cancel(booking=cancelled, actor=cancelled.guest)
    make_completed_stay(listing=theirs, ended_days_ago=1, nights=2)
    ReviewFactory(booking=stay, rating=4)
    return {"mine": mine, "theirs": theirs, "stay": stay}


def test_host_kpis_count_only_their_listings(market, host):
    report = kpi_report(host=host, days=7)
    stay = market["stay"]
    assert report.bookings == 2
    assert report.cancellation_rate == Decimal("50.0")
    assert report.nights_sold == 3
    assert report.available_nights == 7
    assert report.occupancy_rate == Decimal("42.9")
    assert report.gross_booking_value == {"EUR": stay.total}
    assert report.platform_revenue == {"EUR": stay.service_fee + stay.host_fee}
    assert report.adr == {"EUR": Decimal("100.00")}
    assert report.revpar == {"EUR": Decimal("42.90")}
    assert report.reviews_pending == 1
    assert report.average_rating is None  # pending reviews are not averaged
    assert sum(n for _day, n in report.bookings_per_day) == 2
    assert report.occupancy_by_city == [("Porto", Decimal("42.9"))]


def test_marketplace_kpis_include_everyone(market):
    report = kpi_report(days=7)
    assert report.bookings == 3
    assert report.nights_sold == 5
    assert report.available_nights == 14
    assert dict(report.occupancy_by_city) == {"Faro": Decimal("28.6"), "Porto": Decimal("42.9")}


def test_host_blocks_reduce_available_nights(host):
    listing = ListingFactory(host=host)
    host_block_create(listing=listing, start=future(0), end=future(2), actor=host)
    report = kpi_report(host=host, days=7)
    assert report.available_nights == 7 - 1  # only tonight falls inside the window


def test_dashboard_per_role(as_host, as_staff, market):
    host_page = as_host.get(reverse("admin:index"), {"period": "7"}).content.decode()
    assert "your listings" in host_page
    assert 'data-kpi="bookings"' in host_page
    staff_page = as_staff.get(reverse("admin:index"), {"period": "90"}).content.decode()
    assert "the whole marketplace" in staff_page
    assert "arrives with payments" not in staff_page  # no placeholder figure
    assert "not paid yet" in staff_page and 'data-kpi="payouts"' in staff_page
    # A nonsense period falls back to the default instead of failing.
    assert as_staff.get(reverse("admin:index"), {"period": "x"}).status_code == 200


def test_dashboard_is_a_handful_of_queries(as_staff, market, django_assert_max_num_queries):
    with django_assert_max_num_queries(25):
        as_staff.get(reverse("admin:index"))
