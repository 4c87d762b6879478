"""The listing locked with its calendar overrides in one statement (booking_create's read)."""

import threading
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.transaction import TransactionManagementError

from calendars.models import CalendarDay
from calendars.selectors import calendar_overrides, listing_locked_with_overrides
from listings.models import Listing
from tests.factories import ListingFactory, future


def _field_values(listing: Listing) -> dict:
    return {f.attname: getattr(listing, f.attname) for f in Listing._meta.concrete_fields}


@pytest.mark.django_db
def test_it_reads_what_the_orm_reads(django_assert_num_queries):
    """The same listing, field by field, and the same prices and closed nights as
    `calendar_overrides`: days outside the stay, and other listings' days, are left out."""
    listing = ListingFactory(weekend_price=Decimal("120.00"))
    other = ListingFactory()
    CalendarDay.objects.create(listing=listing, date=future(29), price=Decimal("90.00"))
    CalendarDay.objects.create(listing=listing, date=future(30), price=Decimal("150.00"))
    CalendarDay.objects.create(listing=listing, date=future(31), is_blocked=True)
    CalendarDay.objects.create(
        listing=listing, date=future(32), price=Decimal("80.00"), is_blocked=True
    )
    CalendarDay.objects.create(listing=other, date=future(30), price=Decimal("999.00"))
    start, end = future(30), future(33)
    with transaction.atomic():
        expected_cost = 1 if connection.vendor == "postgresql" else 2
        with django_assert_num_queries(expected_cost):
            locked, prices, closed = listing_locked_with_overrides(listing.pk, start, end)
    assert _field_values(locked) == _field_values(Listing.objects.get(pk=listing.pk))
    assert not hasattr(locked, "override_days")  # the arrays are not left on the instance
    assert (prices, closed) == calendar_overrides(listing, start, end)
    assert prices == {future(30): Decimal("150.00"), future(32): Decimal("80.00")}
    assert closed == {future(31), future(32)}


@pytest.mark.django_db
def test_no_calendar_days_and_unknown_listing():
    listing = ListingFactory()
    with transaction.atomic():
        _locked, prices, closed = listing_locked_with_overrides(listing.pk, future(1), future(4))
        assert (prices, closed) == ({}, set())
        with pytest.raises(Listing.DoesNotExist):
            listing_locked_with_overrides(ListingFactory.build().pk, future(1), future(4))


@pytest.mark.django_db(transaction=True)
def test_it_needs_a_transaction():
    """A lock outside a transaction would end with its statement (autocommit)."""
    listing = ListingFactory()
    with pytest.raises(TransactionManagementError):
        listing_locked_with_overrides(listing.pk, future(1), future(4))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_row_stays_locked_until_the_transaction_ends():
    listing = ListingFactory()
    outcome: list[str] = []

    def try_to_lock():
        try:
            with transaction.atomic():
                Listing.objects.select_for_update(nowait=True).get(pk=listing.pk)
            outcome.append("locked it")
        except DatabaseError:
            outcome.append("held by the other transaction")
        finally:
            connection.close()

    with transaction.atomic():
        listing_locked_with_overrides(listing.pk, future(1), future(4))
        other = threading.Thread(target=try_to_lock)
        other.start()
        other.join(timeout=30)
    assert outcome == ["held by the other transaction"]
