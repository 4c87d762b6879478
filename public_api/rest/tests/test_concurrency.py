"""Concurrent bookings through the API on PostgreSQL: exactly one wins, the rest get a 409."""

import threading

import pytest
from django.db import connection

from bookings.models import Booking
from tests.factories import ListingFactory, UserFactory, future

from .conftest import client_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 6


def race(calls):
    """Run the calls at the same moment, each on its own thread and database connection."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def booking_body(listing):
    return {
        "listing": str(listing.pk),
        "check_in": str(future(20)),
        "check_out": str(future(23)),
        "guests": 2,
    }


def test_concurrent_bookings_of_the_same_dates_book_once():
    listing = ListingFactory()
    clients = [client_for(UserFactory()) for _ in range(THREADS)]
    body = booking_body(listing)
    responses = race([lambda c=c: c.post("/api/v1/bookings/", body) for c in clients])
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * (THREADS - 1)
    assert {r.data["code"] for r in responses if r.status_code == 409} == {"dates_unavailable"}
    assert Booking.objects.filter(listing=listing).count() == 1


def test_concurrent_repeats_of_one_idempotency_key_book_once():
    listing = ListingFactory()
    client = client_for(UserFactory())
    body = booking_body(listing)
    responses = race(
        [
            lambda: client.post("/api/v1/bookings/", body, HTTP_IDEMPOTENCY_KEY="same")
            for _ in range(THREADS)
        ]
    )
    statuses = [r.status_code for r in responses]
    # One does the work; each other either replays it (201) or saw it running (409).
    assert statuses.count(201) >= 1
    assert set(statuses) <= {201, 409}
    conflicts = {r.data["code"] for r in responses if r.status_code == 409}
    assert conflicts <= {"idempotency_in_progress"}
    assert len({r.data["id"] for r in responses if r.status_code == 201}) == 1
    assert Booking.objects.filter(listing=listing).count() == 1
