"""Every change records who made it (user or named system actor) and from where."""

import pytest

from bookings.tasks import expire_stale_bookings
from common.actor import acting_as
from common.history import bulk_create_audited
from listings.models import Listing
from listings.services import listing_update
from tests.factories import ListingFactory, UserFactory, make_booking

pytestmark = pytest.mark.django_db


def test_service_changes_record_the_acting_user_and_ip():
    listing = ListingFactory()
    with acting_as(listing.host, ip="203.0.113.9"):
        listing_update(listing=listing, actor=listing.host, title="New title")
    record = listing.history.latest()
    assert record.history_type == "~"
    assert record.history_user == listing.host
    assert record.history_actor == f"user:{listing.host.email}"
    assert record.history_ip == "203.0.113.9"
    diff = record.diff_against(record.prev_record)
    assert [(c.field, c.new) for c in diff.changes] == [("title", "New title")]


def test_tasks_record_a_named_system_actor(settings):
    booking = make_booking()
    booking.__class__.objects.filter(pk=booking.pk).update(expires_at=booking.created_at)
    assert expire_stale_bookings.delay().get() == 1
    record = booking.history.latest()
    assert record.status == "expired"
    assert record.history_actor == "system:bookings.expire_stale"
    assert record.history_user is None


def test_bulk_writes_keep_history_with_the_actor():
    host = UserFactory()
    rows = [
        Listing(host=host, title=f"L{i}", city="Oslo", country="NO", nightly_price=90)
        for i in range(5)
    ]
    with acting_as(host, ip="198.51.100.7"):
        bulk_create_audited(rows, Listing)
    records = Listing.history.filter(title__startswith="L")
    assert records.count() == 5
    assert {r.history_user_id for r in records} == {host.pk}
    assert {(r.history_actor, r.history_ip) for r in records} == {
        (f"user:{host.email}", "198.51.100.7")
    }


def test_a_listing_change_with_amenities_is_one_history_row():
    from listings.services import listing_create, listing_update
    from tests.factories import AmenityFactory

    wifi, pool, desk = (AmenityFactory(slug=s) for s in ("wifi", "pool", "desk"))
    host = UserFactory()
    listing = listing_create(actor=host, title="T", city="Oslo", country="NO",
                             nightly_price=90, amenities=["wifi", "pool"])  # fmt: skip
    assert listing.history.count() == 1
    created = listing.history.get()
    assert created.history_type == "+"
    assert {a.amenity_id for a in created.amenities.all()} == {wifi.pk, pool.pk}
    listing_update(listing=listing, actor=host, title="T2", amenities=["desk"])
    assert listing.history.count() == 2
    latest = listing.history.latest()
    assert (latest.history_type, latest.title) == ("~", "T2")
    assert {a.amenity_id for a in latest.amenities.all()} == {desk.pk}


def test_services_called_outside_a_request_record_their_acting_user():
    listing = ListingFactory()
    listing_update(listing=listing, actor=listing.host, title="From a shell")
    assert listing.history.latest().history_actor == f"user:{listing.host.email}"


def test_a_request_or_task_actor_is_not_replaced_by_the_service_argument():
    listing = ListingFactory()
    with acting_as("nightly_cleanup"):
        listing_update(listing=listing, actor=listing.host, title="By a task")
    assert listing.history.latest().history_actor == "system:nightly_cleanup"


def test_logging_in_writes_no_history():
    from django.contrib.auth.signals import user_logged_in
    from django.test import RequestFactory

    user = UserFactory()
    before = user.history.count()
    user_logged_in.send(sender=type(user), request=RequestFactory().get("/"), user=user)
    user.refresh_from_db()
    assert user.last_login is not None
    assert user.history.count() == before
