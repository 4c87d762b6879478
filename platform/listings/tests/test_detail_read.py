"""The published listing a detail page shows: one query on PostgreSQL, the same instances."""

from decimal import Decimal

import pytest
from django.db import connection

from listings.models import Listing
from listings.selectors import listing_base_queryset, listing_published_with_relations
from tests.factories import UserFactory

from .support import shown, varied_listings

pytestmark = pytest.mark.django_db


def test_a_published_listing_reads_as_the_generic_queryset_gives_it(django_assert_num_queries):
    for listing in varied_listings([UserFactory(first_name="Ana")], 6):
        with django_assert_num_queries(1 if connection.vendor == "postgresql" else 3):
            read = listing_published_with_relations(listing.pk)
        assert read is not None
        assert shown(read) == shown(listing_base_queryset().get(pk=listing.pk))


def test_only_published_listings_are_read():
    draft = Listing.objects.create(
        host=UserFactory(), title="Draft", city="Lisbon", country="PT",
        nightly_price=Decimal(100), status=Listing.Status.DRAFT,
    )  # fmt: skip
    assert listing_published_with_relations(draft.pk) is None
    assert listing_published_with_relations("00000000-0000-0000-0000-000000000000") is None


def test_the_statement_compiled_once_reads_each_listing_asked_for():
    """The SQL is compiled once per connection with a placeholder id: every later read must
    put its own id in (a UUID or its text) and get that listing, never the first one read."""
    host = UserFactory(first_name="Rui")
    listings = [
        Listing.objects.create(
            host=host, title=f"Stay {i}", city="Porto", country="PT",
            nightly_price=Decimal(90), status=Listing.Status.PUBLISHED,
        )
        for i in range(3)
    ]  # fmt: skip
    for listing in listings:
        for listing_id in (listing.pk, str(listing.pk)):
            read = listing_published_with_relations(listing_id)
            assert read is not None and (read.pk, read.title) == (listing.pk, listing.title)
