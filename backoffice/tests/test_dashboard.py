"""The KPI selectors (bookings.kpis) on a small known marketplace, and the dashboard page."""

import re
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


# --- stored figures: computed by beat, read by the page ---------------------------------------


def test_beat_stores_the_figures_and_the_page_only_reads_them(as_staff, market, guest):
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bookings.kpis import PERIODS
    from bookings.models import KpiSnapshot
    from bookings.tasks import refresh_dashboard

    schedule = settings.CELERY_BEAT_SCHEDULE["refresh-dashboard"]
    assert schedule["task"] == refresh_dashboard.name and schedule["schedule"] <= 5 * 60
    assert refresh_dashboard.delay().get() == len(PERIODS)
    assert sorted(KpiSnapshot.objects.values_list("days", flat=True)) == sorted(PERIODS)

    with CaptureQueriesContext(connection) as queries:
        page = as_staff.get(reverse("admin:index"), {"period": "7"}).content.decode()
    sqls = [q["sql"] for q in queries]
    assert any("bookings_kpisnapshot" in sql for sql in sqls)
    # No aggregate over bookings, listings, reviews or payments for a person's request (the
    # sidebar's "requests to answer" badge is a plain indexed COUNT).
    heavy = [sql for sql in sqls if re.search(r"\b(SUM|AVG)\(|GROUP BY", sql)]
    assert heavy == []
    assert re.search(r'data-kpi="bookings".*?>\s*3\s*<', page, re.S)
    assert 'id="figures-as-of"' in page

    # A new booking shows once beat has run again, not before.
    make_booking(listing=market["theirs"], guest=guest, check_in=future(40))
    assert kpi_report(days=7).bookings == 3
    refresh_dashboard.delay()
    assert kpi_report(days=7).bookings == 4


def test_without_stored_figures_they_are_computed_once_and_kept(market):
    from bookings.models import KpiSnapshot

    assert not KpiSnapshot.objects.exists()  # a database beat never ran on
    first = kpi_report(days=30)
    assert KpiSnapshot.objects.filter(days=30).count() == 1
    assert kpi_report(days=30) == first  # read back from the row, the same figures


def test_the_stored_form_gives_back_the_same_report(market, host):
    from bookings.kpis import Window, _compute, _dump, _load

    for scope in (None, host):
        report = _compute(Window.last(30), scope)
        assert report.gross_booking_value and report.bookings_per_day and report.currencies
        assert _load(_dump(report), report.computed_at) == report
