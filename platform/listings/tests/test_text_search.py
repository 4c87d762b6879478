"""Text search (`q`): PostgreSQL full-text on a GIN index, ranked; SQLite a word match."""

import pytest
from django.contrib.postgres.search import SearchQuery
from django.db import connection

from common.errors import ValidationFailed
from listings.models import Listing
from listings.selectors import (
    TEXT_SEARCH_CONFIG,
    ListingSearch,
    listing_search,
    text_search_vector,
)
from tests.factories import ListingFactory

pytestmark = pytest.mark.django_db


def titles(params: ListingSearch) -> list[str]:
    return [listing.title for listing in listing_search(params)]


def test_q_finds_words_in_title_description_and_city():
    ListingFactory(title="Flat with a sea view", description="Quiet.", city="Nice")
    ListingFactory(title="Loft", description="A view of the sea from bed.", city="Brest")
    ListingFactory(title="Cabin", description="Forest all around.", city="Seaside")
    ListingFactory(title="Barn", description="Fields.", city="Lyon")

    assert sorted(titles(ListingSearch(q="sea view"))) == ["Flat with a sea view", "Loft"]
    assert titles(ListingSearch(q="brest")) == ["Loft"]
    assert titles(ListingSearch(q="lyon fields")) == ["Barn"]
    assert titles(ListingSearch(q="desert")) == []


@pytest.mark.parametrize(
    ("q", "code"),
    [("", "invalid_filter"), ("   ", "invalid_filter"), ("a\x00b", "invalid_filter"),
     ("x" * 201, "too_long")],
)  # fmt: skip
def test_bad_q_is_refused(q, code):
    with pytest.raises(ValidationFailed) as refused:
        listing_search(ListingSearch(q=q))
    assert (refused.value.code, refused.value.field) == (code, "q")


@pytest.mark.postgres
def test_postgres_ranks_and_stems():
    ListingFactory(title="Room", description="Sea views, sea air, by the sea.")
    ListingFactory(title="House", description="A garden; the sea is an hour away.")

    assert titles(ListingSearch(q="sea")) == ["Room", "House"]  # more matches rank higher
    assert titles(ListingSearch(q="view")) == ["Room"]  # "views" stems to "view"
    assert titles(ListingSearch(q="sea -garden")) == ["Room"]  # web-search syntax


@pytest.mark.postgres
def test_postgres_text_search_uses_the_gin_index():
    for n in range(30):
        ListingFactory(title=f"Place {n}", description="Nothing to say.")
    # The search's own document and query (without the status filter, whose btree index the
    # planner may prefer on tiny data): only the GIN index can answer it.
    query = SearchQuery("sea view", config=TEXT_SEARCH_CONFIG, search_type="websearch")
    qs = Listing.objects.annotate(text_match=text_search_vector()).filter(text_match=query)
    qs = qs.values("id")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = qs.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "listing_search_text" in plan, plan
