"""No double booking, guaranteed by PostgreSQL even under concurrent attempts."""

import datetime as dt
import threading

import pytest
from django.db import IntegrityError, connection, transaction

from bookings.models import Booking
from bookings.services import booking_create
from calendars.models import Occupancy
from common.errors import DomainError
from tests.factories import ListingFactory, UserFactory, future

ATTEMPTS = 20


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_overlapping_bookings_exactly_one_wins():
    listing = ListingFactory()
    guests = [UserFactory() for _ in range(ATTEMPTS)]
    barrier = threading.Barrier(ATTEMPTS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(index: int):
        # Overlapping but not identical stays: [30+i%3, 33+i%3)
        check_in = future(30 + index % 3)
        try:
            barrier.wait(timeout=30)
            booking_create(
                guest=guests[index], listing=listing, check_in=check_in,
                check_out=check_in + dt.timedelta(days=3), guests=1,
            )  # fmt: skip
            result = "booked"
        except DomainError as exc:
            result = exc.code
        except Exception as exc:  # noqa: BLE001 - anything else is the failure we test for
            result = f"crash:{type(exc).__name__}:{exc}"
        finally:
            connection.close()  # each thread has its own connection
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(ATTEMPTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(outcomes) == ATTEMPTS
    assert outcomes.count("booked") == 1, outcomes
    assert outcomes.count("dates_unavailable") == ATTEMPTS - 1, outcomes
    assert Booking.objects.filter(listing=listing).count() == 1
    assert Occupancy.objects.filter(listing=listing, is_active=True).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db
def test_exclusion_constraint_rejects_overlap_even_without_the_service():
    listing = ListingFactory()
    Occupancy.objects.create(listing=listing, start=future(10), end=future(15), kind="booking")
    with pytest.raises(IntegrityError, match="occupancy_no_overlap"), transaction.atomic():
        Occupancy.objects.create(listing=listing, start=future(14), end=future(16), kind="block")
    # Inactive (cancelled) occupancies do not count; adjacent ranges do not overlap.
    Occupancy.objects.create(
        listing=listing, start=future(12), end=future(13), kind="booking", is_active=False
    )
    Occupancy.objects.create(listing=listing, start=future(15), end=future(16), kind="block")
    assert Occupancy.objects.filter(listing=listing, is_active=True).count() == 2
