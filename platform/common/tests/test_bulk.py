"""Bulk writes with COPY (common.bulk) and their history (common.history), on PostgreSQL."""

from decimal import Decimal

import pytest
from django.db import connection

from common import bulk
from common.actor import acting_as
from common.bulk import copy_insert, copy_update
from common.history import bulk_create_audited, bulk_update_audited
from listings.models import Listing
from tests.factories import AmenityFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

AWKWARD = "Tab\there, new\nline, back\\slash, \\N, carriage\rreturn, quote \" ' and ünïcödé"


def listings(host, count=3, **values):
    return [
        Listing(host=host, title=f"L{n}", city="Oslo", country="NO",
                nightly_price=Decimal("90.50"), **values)
        for n in range(count)
    ]  # fmt: skip


def test_copy_insert_round_trips_awkward_text_nulls_and_defaults():
    assert connection.vendor == "postgresql"
    host = UserFactory()
    rows = listings(host, description=AWKWARD, weekend_price=None, latitude=Decimal("-9.5"))

    copy_insert(Listing, rows)

    stored = Listing.objects.get(pk=rows[0].pk)
    assert stored.description == AWKWARD
    assert stored.weekend_price is None and stored.latitude == Decimal("-9.500000")
    assert (stored.nightly_price, stored.cleaning_fee, stored.instant_book) == (
        Decimal("90.50"), Decimal("0.00"), False)  # fmt: skip
    assert stored.created_at is not None and stored.address == ""
    assert Listing.objects.filter(host=host).count() == 3


def test_copy_streams_chunks_column_by_column(monkeypatch):
    """Rows go in chunks (a column's text converted at once): a chunk where only some values
    need escaping or are null, booleans, and a deferred field read before the COPY starts."""
    monkeypatch.setattr(bulk, "COPY_CHUNK_ROWS", 2)
    host = UserFactory()
    rows = listings(host, count=5)
    rows[3].description, rows[4].weekend_price, rows[1].instant_book = AWKWARD, None, True
    rows[2].description = "plain"
    copy_insert(Listing, rows)
    stored = {x.title: x for x in Listing.objects.filter(host=host)}
    assert [stored[f"L{n}"].description for n in range(5)] == ["", "", "plain", AWKWARD, ""]
    assert stored["L4"].weekend_price is None and stored["L1"].instant_book is True
    assert stored["L0"].instant_book is False

    loaded = list(Listing.objects.filter(host=host).only("id", "title").order_by("title"))
    for row in loaded:
        row.title = f"{row.title}?"
    assert copy_update(Listing, loaded, ["title", "city"]) == 5  # city loads, then the COPY
    assert sorted(Listing.objects.values_list("title", "city"))[0] == ("L0?", "Oslo")


def test_copy_update_writes_the_named_columns_only():
    host = UserFactory()
    rows = copy_insert(Listing, listings(host))
    for row in rows:
        row.title, row.city = f"{row.title}!", "Bergen"

    assert copy_update(Listing, rows, ["title"]) == 3

    assert sorted(Listing.objects.values_list("title", "city")) == [
        ("L0!", "Oslo"), ("L1!", "Oslo"), ("L2!", "Oslo")]  # fmt: skip


def test_copy_history_records_the_actor_and_the_amenity_set():
    host, wifi = UserFactory(), AmenityFactory(slug="wifi")
    rows = listings(host, count=2)
    through = Listing.amenities.through
    links = copy_insert(through, [through(listing_id=rows[0].pk, amenity_id=wifi.pk)])
    m2m = {"amenities": {rows[0].pk: [{"id": links[0].pk, "listing_id": rows[0].pk,
                                        "amenity_id": wifi.pk}]}}  # fmt: skip

    with acting_as(host, ip="198.51.100.7"):
        bulk_create_audited(rows, Listing, copy=True, m2m=m2m)
        rows[1].title = "Renamed"
        bulk_update_audited(rows[1:], Listing, ["title"], copy=True)

    first, second = (Listing.objects.get(pk=row.pk) for row in rows)
    assert [a.slug for a in first.amenities.all()] == ["wifi"]
    record = first.history.get()
    assert (record.history_type, record.history_user, record.history_actor, record.history_ip) == (
        "+", host, f"user:{host.email}", "198.51.100.7")  # fmt: skip
    assert [a.amenity.slug for a in record.amenities.all()] == ["wifi"]
    assert [(r.history_type, r.title) for r in second.history.all()] == [
        ("~", "Renamed"), ("+", "L1")]  # fmt: skip
    assert second.title == "Renamed"
