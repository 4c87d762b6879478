"""The calendar pages: a month per listing (block, unblock, price nights through the calendar
services) and the timeline of many listings, scoped by role, in a fixed number of queries."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from calendars.models import CalendarDay, HostBlock
from calendars.services import host_block_create
from tests.factories import ListingFactory, UserFactory, future, make_booking

pytestmark = pytest.mark.django_db


def month_url(listing, day=None):
    url = reverse("admin:calendar_listing", args=[listing.pk])
    return url + (f"?month={day:%Y-%m}" if day else "")


def change(client, listing, operation, start, end, **extra):
    data = {"operation": operation, "start": start.isoformat(), "end": end.isoformat(), **extra}
    return client.post(month_url(listing), data)


def test_the_month_shows_prices_bookings_and_blocks(as_host, own_listing):
    first = future(40).replace(day=1)  # a whole month ahead: every date below is in it
    guest = UserFactory(first_name="Gina")
    make_booking(listing=own_listing, guest=guest, check_in=first + timedelta(days=2), nights=3)
    host_block_create(listing=own_listing, start=first + timedelta(days=10),
                      end=first + timedelta(days=11), note="Painting",
                      actor=own_listing.host)  # fmt: skip
    body = as_host.get(month_url(own_listing, first)).content.decode()
    assert "Gina · Pending payment" in body  # an instant booking waits for its payment
    assert body.count('data-kind="booking"') == 3 and body.count('data-kind="block"') == 1
    assert "Painting" in body
    assert f'data-date="{first.isoformat()}"' in body
    assert "Prices per night in EUR" in body
    assert 'id="calendar-form"' in body


def test_other_hosts_listings_are_not_found_and_moderators_have_no_calendar(
    as_host, as_moderator, foreign_listing, own_listing
):
    assert as_host.get(month_url(foreign_listing)).status_code == 404
    assert as_moderator.get(month_url(own_listing)).status_code == 403
    assert as_moderator.get(reverse("admin:calendar_timeline")).status_code == 403


def test_auditors_read_the_calendar_and_cannot_change_it(as_auditor, own_listing):
    page = as_auditor.get(month_url(own_listing))
    assert page.status_code == 200 and 'id="calendar-form"' not in page.content.decode()
    assert change(as_auditor, own_listing, "block", future(5), future(7)).status_code == 403
    assert not HostBlock.objects.exists()


def test_blocking_selected_nights_goes_through_the_service(as_host, own_listing):
    response = change(as_host, own_listing, "block", future(5), future(8), note="Owner stay")
    assert response.status_code == 302
    block = HostBlock.objects.get()
    assert (block.start, block.end, block.note) == (future(5), future(8), "Owner stay")
    assert block.history.first().history_user == own_listing.host
    follow = as_host.get(response["Location"]).content.decode()
    assert "3 nights blocked." in follow


def test_a_refusal_shows_in_place(as_host, own_listing):
    make_booking(listing=own_listing, check_in=future(10), nights=3)
    response = change(as_host, own_listing, "block", future(9), future(12))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="calendar-error"' in body and "These dates are not available." in body
    assert not HostBlock.objects.exists()
    response = change(as_host, own_listing, "price", future(3), future(5), price="-5")
    assert "A price must be more than zero." in response.content.decode()
    response = change(as_host, own_listing, "price", future(3), future(5))
    assert "Enter the price per night." in response.content.decode()
    assert not CalendarDay.objects.exists()


def test_prices_are_set_and_cleared_and_nights_unblocked(as_host, own_listing):
    response = change(as_host, own_listing, "price", future(3), future(5), price="150")
    assert response.status_code == 302
    assert set(CalendarDay.objects.values_list("price", flat=True)) == {Decimal("150.00")}
    assert change(as_host, own_listing, "clear", future(3), future(5)).status_code == 302
    assert not CalendarDay.objects.exists()
    host_block_create(listing=own_listing, start=future(10), end=future(14), actor=own_listing.host)
    assert change(as_host, own_listing, "unblock", future(11), future(13)).status_code == 302
    assert sorted(HostBlock.objects.filter(is_active=True).values_list("start", "end")) == [
        (future(10), future(11)), (future(13), future(14))
    ]  # fmt: skip


def test_the_timeline_shows_each_listing_as_a_row_with_bars(as_host, own_listing, foreign_listing):
    guest = UserFactory(first_name="Gina")
    make_booking(listing=own_listing, guest=guest, check_in=future(2), nights=3)
    url = reverse("admin:calendar_timeline")
    body = as_host.get(url, {"start": future(1).isoformat(), "days": 14}).content.decode()
    assert own_listing.title in body and foreign_listing.title not in body
    assert 'colspan="3"' in body and "Gina ·" in body


def test_staff_filter_the_timeline_by_host_and_city(as_staff, own_listing, foreign_listing):
    url = reverse("admin:calendar_timeline")
    body = as_staff.get(url, {"host": "other@"}).content.decode()
    assert foreign_listing.title in body and own_listing.title not in body
    body = as_staff.get(url, {"city": "Porto"}).content.decode()
    assert own_listing.title in body and foreign_listing.title not in body


def test_the_timeline_costs_the_same_queries_for_3_or_30_listings(
    as_staff, django_assert_max_num_queries
):
    url = reverse("admin:calendar_timeline")
    params = {"start": future(1).isoformat(), "days": 31}

    def count_queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert as_staff.get(url, params).status_code == 200
        return len(queries)

    for i in range(3):
        listing = ListingFactory(title=f"A{i:02}")
        make_booking(listing=listing, check_in=future(3), nights=2)
    few = count_queries()
    for i in range(27):
        listing = ListingFactory(title=f"B{i:02}")
        make_booking(listing=listing, check_in=future(3 + i % 5), nights=2)
    many = count_queries()
    assert many == few
    with django_assert_max_num_queries(few):
        body = as_staff.get(url, params).content.decode()
    assert body.count("data-listing=") == 30
