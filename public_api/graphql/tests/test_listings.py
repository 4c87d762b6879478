"""Listing reads: search, one listing, quotes, nested reviews, and the query budget."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from calendars.services import host_block_create
from listings.models import Listing, ListingPhoto
from listings.selectors import ListingSearch, listing_search_cached
from public_api.graphql.listings.types import Listing as ListingType
from tests.factories import (
    AmenityFactory,
    ListingFactory,
    ReviewFactory,
    UserFactory,
    future,
    make_booking,
    make_completed_stay,
)

pytestmark = pytest.mark.django_db

SEARCH = """
query Search($city: String, $country: String, $checkIn: Date, $checkOut: Date, $guests: Int,
             $minPrice: Money, $maxPrice: Money, $currency: String, $amenities: [String!],
             $orderBy: ListingOrderBy,
             $first: Int, $after: String, $mine: Boolean) {
  listings(city: $city, country: $country, checkIn: $checkIn, checkOut: $checkOut,
           guests: $guests, minPrice: $minPrice, maxPrice: $maxPrice, currency: $currency,
           amenities: $amenities,
           orderBy: $orderBy, first: $first, after: $after, mine: $mine) {
    edges { cursor node { id title nightlyPrice currency } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

NESTED_PAGE = """
query Page($first: Int) {
  listings(first: $first) {
    edges { node {
      id title city country propertyType nightlyPrice currency maxGuests bedrooms beds
      bathrooms rating reviewCount instantBook photo
      host { id firstName }
      amenities { slug name }
      photos { url }
      reviews(first: 5) { edges { node { rating comment author { firstName } } }
                          pageInfo { hasNextPage } }
    } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

LISTING = """
query($id: UUID!) { listing(id: $id) {
  id title description latitude longitude cleaningFee weekendPrice minNights maxNights
  weeklyDiscount monthlyDiscount taxRate cancellationPolicy status nightlyPrice currency
  host { id firstName } amenities { slug name } photos { url } photo
} }
"""

QUOTE = """
query($id: UUID!, $in: Date!, $out: Date!, $guests: Int!) {
  quote(listingId: $id, checkIn: $in, checkOut: $out, guests: $guests) {
    listingId checkIn checkOut guests nights nightly { date price }
    nightlySubtotal discount cleaningFee serviceFee taxes total currency
  }
}
"""


def titles(data) -> list[str]:
    return [edge["node"]["title"] for edge in data["listings"]["edges"]]


def test_search_filters_by_place_capacity_price_and_amenities(gql, host):
    wifi, pool = AmenityFactory(slug="wifi"), AmenityFactory(slug="pool")
    match = ListingFactory(host=host, title="match", city="Porto", max_guests=4)
    match.amenities.set([wifi, pool])
    ListingFactory(host=host, title="small", city="Porto", max_guests=1).amenities.set([wifi, pool])
    ListingFactory(host=host, title="elsewhere", city="Faro").amenities.set([wifi, pool])
    ListingFactory(host=host, title="no pool", city="Porto").amenities.set([wifi])
    ListingFactory(host=host, title="pricey", city="Porto", nightly_price=Decimal("900"))
    ListingFactory(host=host, title="draft", city="Porto", status=Listing.Status.DRAFT)

    data = gql.data(
        SEARCH,
        {"city": "porto", "country": "pt", "guests": 3, "maxPrice": "500", "currency": "EUR",
         "amenities": ["wifi", "pool"]},
    )  # fmt: skip

    assert titles(data) == ["match"]
    assert data["listings"]["edges"][0]["node"]["nightlyPrice"] == "100.00"


def test_search_with_dates_excludes_booked_and_blocked_listings(gql, host):
    free = ListingFactory(host=host, title="free")
    booked = ListingFactory(host=host, title="booked")
    blocked = ListingFactory(host=host, title="blocked")
    ListingFactory(host=host, title="min nights", min_nights=5)
    make_booking(listing=booked, check_in=future(10), nights=2)
    host_block_create(listing=blocked, start=future(11), end=future(12), actor=host)

    data = gql.data(SEARCH, {"checkIn": str(future(10)), "checkOut": str(future(13))})

    assert titles(data) == [free.title]


def test_search_orders_by_price_and_pages_with_cursors(gql, host):
    for price in (300, 100, 200):
        ListingFactory(host=host, title=f"p{price}", nightly_price=Decimal(price))

    first = gql.data(SEARCH, {"orderBy": "price", "first": 2})
    assert titles(first) == ["p100", "p200"]
    assert first["listings"]["pageInfo"]["hasNextPage"] is True

    cursor = first["listings"]["pageInfo"]["endCursor"]
    second = gql.data(SEARCH, {"orderBy": "price", "first": 2, "after": cursor})
    assert titles(second) == ["p300"]
    assert second["listings"]["pageInfo"]["hasNextPage"] is False

    assert titles(gql.data(SEARCH, {"orderBy": "price_desc"})) == ["p300", "p200", "p100"]


def test_mine_shows_the_hosts_drafts_and_needs_a_token(gql, host):
    ListingFactory(host=host, title="my draft", status=Listing.Status.DRAFT)
    ListingFactory(title="someone else's")

    assert titles(gql.data(SEARCH, {"mine": True}, user=host)) == ["my draft"]
    body = gql(SEARCH, {"mine": True})
    assert body["data"]["listings"] is None
    assert body["errors"][0]["extensions"]["code"] == "not_authenticated"


MINE_WITH_STATUS = "{ listings(mine: true) { edges { node { title status } } } }"


def test_mine_shows_each_listings_status(gql, host):
    ListingFactory(host=host, title="draft", status=Listing.Status.DRAFT)
    ListingFactory(host=host, title="live", status=Listing.Status.PUBLISHED)
    ListingFactory(host=host, title="stopped", status=Listing.Status.SUSPENDED)
    edges = gql.data(MINE_WITH_STATUS, user=host)["listings"]["edges"]
    assert {e["node"]["title"]: e["node"]["status"] for e in edges} == {
        "draft": "draft",
        "live": "published",
        "stopped": "suspended",
    }


@pytest.mark.parametrize(
    ("variables", "code"),
    [
        ({"checkIn": "2030-01-05", "checkOut": "2030-01-01"}, "dates_invalid"),
        ({"checkIn": "2030-01-05"}, "dates_required"),
        ({"guests": 0}, "guests_invalid"),
        ({"city": "x" * 500}, "invalid_filter"),
        ({"amenities": [f"a{i}" for i in range(30)]}, "too_many_amenities"),
        ({"amenities": ["wifi", "x" * 101]}, "invalid_filter"),
    ],
)
def test_search_rejects_bad_filters_with_a_code(gql, variables, code):
    body = gql(SEARCH, variables)
    assert body["data"]["listings"] is None
    assert body["errors"][0]["extensions"]["code"] == code


def test_a_too_long_amenity_is_not_called_a_place_name(gql):
    (error,) = gql(SEARCH, {"amenities": ["x" * 101]})["errors"]
    assert "place" not in error["message"]
    assert "amenity" in error["message"]
    assert error["extensions"]["field"] == "amenities"


def test_search_by_many_amenities_up_to_the_cap(gql):
    amenities = [AmenityFactory(slug=f"feature-{i}") for i in range(21)]
    match = ListingFactory(title="has them all")
    match.amenities.set(amenities)
    ListingFactory(title="has all but one").amenities.set(amenities[1:])
    slugs = [a.slug for a in amenities]

    assert titles(gql.data(SEARCH, {"amenities": slugs[:20]})) == ["has them all"]
    # Repeats count once, as in REST.
    assert titles(gql.data(SEARCH, {"amenities": [slugs[0]] * 25})) == ["has them all"]
    body = gql(SEARCH, {"amenities": slugs})
    assert body["data"]["listings"] is None
    assert body["errors"][0]["extensions"] == {"code": "too_many_amenities", "field": "amenities"}


def test_listing_detail_has_the_rest_fields_and_no_contact_details(gql, listing):
    data = gql.data(LISTING, {"id": str(listing.id)})["listing"]

    assert data["id"] == str(listing.id)
    assert data["cleaningFee"] == "0.00"
    assert data["cancellationPolicy"] == "moderate"
    assert data["status"] == "published"
    assert data["host"] == {"id": str(listing.host.id), "firstName": "Hannah"}
    assert data["amenities"] == [{"slug": "wifi", "name": "Wi-Fi"}]


def test_host_fields_cannot_reveal_email_or_phone(gql, listing):
    body = gql("query($id: UUID!) { listing(id: $id) { host { email phone } } }",
               {"id": str(listing.id)}, status=400)  # fmt: skip
    assert "Cannot query field 'email' on type 'Host'" in body["errors"][0]["message"]


def test_a_draft_is_invisible_to_others_but_visible_to_its_host(gql, host, other_host):
    draft = ListingFactory(host=host, status=Listing.Status.DRAFT)

    for caller in (None, other_host):
        body = gql(LISTING, {"id": str(draft.id)}, user=caller)
        assert body["data"]["listing"] is None
        assert body["errors"][0]["extensions"]["code"] == "not_found"
    assert gql.data(LISTING, {"id": str(draft.id)}, user=host)["listing"]["status"] == "draft"


def test_an_unknown_id_is_not_found(gql, db):
    body = gql(LISTING, {"id": "00000000-0000-0000-0000-000000000000"})
    assert body["data"]["listing"] is None
    assert body["errors"][0]["message"] == "Not found."


def test_quote_prices_the_stay(gql, host):
    listing = ListingFactory(host=host, cleaning_fee=Decimal("30"), nightly_price=Decimal("100"))
    check_in = future(20)
    variables = {"id": str(listing.id), "in": str(check_in),
                 "out": str(check_in + dt.timedelta(days=2)), "guests": 2}  # fmt: skip

    quote = gql.data(QUOTE, variables)["quote"]

    assert quote["nights"] == 2
    assert [n["price"] for n in quote["nightly"]] == ["100.00", "100.00"]
    assert quote["nightlySubtotal"] == "200.00"
    assert quote["cleaningFee"] == "30.00"
    assert quote["serviceFee"] == "27.60"  # 12% of 230.00
    assert quote["total"] == "257.60"
    assert quote["currency"] == "EUR"


@pytest.mark.parametrize(
    ("nights", "guests", "code"),
    [(2, 9, "guests_exceed_capacity"), (0, 2, "dates_invalid"), (2, 2, "dates_unavailable")],
)
def test_quote_refuses_unbookable_stays_with_the_domain_code(gql, listing, nights, guests, code):
    make_booking(listing=listing, check_in=future(40), nights=3)
    check_in = future(40)
    check_out = check_in + dt.timedelta(days=nights)
    variables = {"id": str(listing.id), "in": str(check_in), "out": str(check_out)}
    body = gql(QUOTE, {**variables, "guests": guests})

    assert body["data"]["quote"] is None
    assert body["errors"][0]["extensions"]["code"] == code


def test_reviews_are_published_only_newest_first_and_authors_by_first_name(gql, listing):
    old = ReviewFactory(
        booking=make_completed(listing, "Ana", 2), rating=4, comment="old", status="published"
    )
    new = ReviewFactory(
        booking=make_completed(listing, "Bea", 6), rating=5, comment="new", status="published"
    )
    ReviewFactory(booking=make_completed(listing, "Cy", 10), comment="pending", status="pending")
    type(old).objects.filter(pk=old.pk).update(created_at=new.created_at - dt.timedelta(days=1))

    data = gql.data(
        """query($id: UUID!) { listing(id: $id) { reviews(first: 1) {
             edges { node { rating comment author { firstName } } }
             pageInfo { hasNextPage endCursor }
        } } }""",
        {"id": str(listing.id)},
    )["listing"]["reviews"]

    assert [e["node"] for e in data["edges"]] == [
        {"rating": 5, "comment": "new", "author": {"firstName": "Bea"}}
    ]
    assert data["pageInfo"]["hasNextPage"] is True


def make_completed(listing, first_name, ended_days_ago=2):
    # Distinct dates: two stays of one listing may not overlap (PostgreSQL enforces it).
    return make_completed_stay(
        listing=listing, guest=UserFactory(first_name=first_name), ended_days_ago=ended_days_ago
    )


@pytest.mark.parametrize("page_size", [5, 50])
def test_a_nested_listings_page_costs_the_same_queries_whatever_its_size(
    gql, django_assert_max_num_queries, page_size
):
    amenities = [AmenityFactory(slug=f"amenity-{i}") for i in range(3)]
    for _ in range(page_size):
        listing = ListingFactory()  # each with its own host
        listing.amenities.set(amenities)
    for listing in Listing.objects.all()[:3]:
        ReviewFactory(booking=make_completed(listing, "Rui"), status="published")

    # listings (+host joined), amenities, photos, reviews (+author joined): 4 queries.
    with django_assert_max_num_queries(4):
        data = gql.data(NESTED_PAGE, {"first": page_size})

    edges = data["listings"]["edges"]
    assert len(edges) == page_size
    assert all(len(e["node"]["amenities"]) == 3 for e in edges)
    assert sum(len(e["node"]["reviews"]["edges"]) for e in edges) == 3


def test_a_search_page_reads_its_prefetched_relations_without_managers(gql, monkeypatch, rf):
    """Amenities and photos come from what the search prefetched (or cached): a related
    manager per listing and relation cost more than the rest of a listing's fields."""
    listing = ListingFactory(city="Lisbon")
    listing.amenities.add(AmenityFactory(slug="wifi"), AmenityFactory(slug="desk"))
    ListingPhoto.objects.create(listing=listing, image="listings/b.jpg", position=1)
    ListingPhoto.objects.create(listing=listing, image="listings/a.jpg", position=0)
    query = """{ listings(city: "Lisbon") {
        edges { node { photo photos { url } amenities { slug } } } } }"""
    node = gql.data(query)["listings"]["edges"][0]["node"]
    (cached,) = listing_search_cached(ListingSearch(city="Lisbon"))[0:20]  # as the page read it
    info = SimpleNamespace(context=rf.get("/graphql/"))

    for relation in ("amenities", "photos"):
        monkeypatch.setattr(Listing, relation, property(lambda listing: pytest.fail("manager")))

    assert [a.slug for a in ListingType.resolve_amenities(cached, info)] == ["desk", "wifi"]
    assert [a["slug"] for a in node["amenities"]] == ["desk", "wifi"]
    assert ListingType.resolve_photo(cached, info) == node["photo"]
    assert node["photo"] == "http://testserver/media/listings/a.jpg"
    photos = ListingType.resolve_photos(cached, info)
    assert [p.image.name for p in photos] == ["listings/a.jpg", "listings/b.jpg"]
    assert [p["url"] for p in node["photos"]] == [
        f"http://testserver/media/{p.image.name}" for p in photos
    ]


def test_a_cached_page_reads_the_search_generation_once(gql, monkeypatch, listing):
    """The page's reviews are read under the generation its listings were read under (one
    Redis round trip less than reading it again), and still show a review written since."""
    import listings.cache

    reads = []
    token = listings.cache.cache_token
    monkeypatch.setattr(
        listings.cache, "cache_token", lambda name: reads.append(name) or token(name)
    )
    query = """{ listings(city: "Lisbon") { edges { node {
        reviews(first: 5) { edges { node { comment } } } } } } }"""

    def comments():
        (edge,) = gql.data(query)["listings"]["edges"]
        return [e["node"]["comment"] for e in edge["node"]["reviews"]["edges"]]

    assert comments() == []
    reads.clear()
    assert comments() == []
    assert reads.count("search") == 1
    ReviewFactory(booking=make_completed(listing, "Ana"), comment="Quiet.", status="published")
    assert comments() == ["Quiet."]
