"""The search stays on its indexes at scale (EXPLAIN on PostgreSQL) and its cached pages cost
no query.

The plans are read, not timed: a few thousand rows (bulk inserted, then ANALYZEd) are enough
for PostgreSQL's planner to prefer an index wherever one applies, so a filter that cannot use
its index (as `city__iexact` could not, before the UPPER(city) index) shows as a sequential
scan of listings here, long before it shows at 10,000 listings in production.
"""

import datetime as dt
import itertools
import pickle
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count, Window

from calendars.models import Occupancy
from listings import selectors
from listings.models import Amenity, Listing, ListingPhoto
from listings.selectors import ListingSearch, listing_search, listing_search_cached
from tests.factories import UserFactory

from .support import shown, varied_listings

pytestmark = pytest.mark.django_db

CITIES = ["Lisbon", "Porto", "Paris", "Berlin", "Sydney", "Cape Town", "Oslo", "Quito"]
COUNTRIES = ["PT", "ES", "FR", "DE", "AU", "ZA", "NO", "EC"]
LISTINGS = 2000


@pytest.fixture
def at_scale():
    """LISTINGS published listings over a few cities, amenities, and a year of stays for each
    (mostly past, as in a marketplace that has been running for a while)."""
    hosts = [UserFactory() for _ in range(4)]
    amenities = [Amenity.objects.create(slug=f"a{i}", name=f"A{i}") for i in range(8)]
    listings = Listing.objects.bulk_create(
        Listing(
            host=hosts[i % 4], title=f"Stay {i}", city=CITIES[i % 8], country=COUNTRIES[i % 8],
            nightly_price=Decimal(50 + i % 300), max_guests=2 + i % 4,
            status=Listing.Status.PUBLISHED,
            latitude=Decimal(-60 + (i * 7) % 120), longitude=Decimal(-170 + (i * 13) % 340),
        )
        for i in range(LISTINGS)
    )  # fmt: skip
    through = Listing.amenities.through
    through.objects.bulk_create(
        through(listing_id=listing.pk, amenity_id=amenity.pk)
        for i, listing in enumerate(listings)
        for amenity in amenities[i % 3 : i % 3 + 4]
    )
    today = dt.date.today()
    Occupancy.objects.bulk_create(
        Occupancy(
            listing=listing, kind=Occupancy.Kind.BOOKING,
            start=today + dt.timedelta(days=30 * k + i % 5),
            end=today + dt.timedelta(days=30 * k + i % 5 + 3),
        )
        for i, listing in enumerate(listings)
        for k in range(-6, 2)
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE listings_listing, listings_listing_amenities, calendars_occupancy")
    return listings


def plan_of(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def stay(days=12, nights=3):
    check_in = dt.date.today() + dt.timedelta(days=days)
    return {"check_in": check_in, "check_out": check_in + dt.timedelta(days=nights)}


SEARCHES = {
    "city": ListingSearch(city="lisbon", guests=2),
    "city and dates": ListingSearch(city="Lisbon", guests=2, **stay()),
    "country": ListingSearch(country="pt", **stay()),
    "amenities and price": ListingSearch(
        city="Porto",
        amenities=("a1", "a2"),
        min_price=Decimal(60),
        max_price=Decimal(200),
        currency="EUR",
        **stay(),
    ),  # fmt: skip
    "bbox": ListingSearch(bbox="-10,35,10,45", **stay()),
    "near": ListingSearch(near="38.7,-9.1", radius_km=300),
}


@pytest.mark.postgres
def test_searches_read_listings_and_stays_through_indexes(at_scale):
    """Every kind of search, its page and its count (one setup for all: it is the slow part)."""
    for name, params in SEARCHES.items():
        queryset = listing_search(params)
        for plan in (plan_of(queryset[:20]), plan_of(queryset.order_by().values("pk"))):
            for table in ("listings_listing", "calendars_occupancy", "listings_listing_amenities"):
                assert f"Seq Scan on {table} " not in plan, (name, plan)
    plan = plan_of(listing_search(SEARCHES["city and dates"])[:20])
    assert "listing_search_city_ci" in plan, plan
    assert "occupancy_" in plan, plan  # occupancy_active_end or the per-listing index
    # The cached window: hosts, photos and amenities are looked up for the rows kept (in
    # subplans run after the LIMIT), never joined to every listing the count reads.
    for name, params in SEARCHES.items():
        window = listing_search(params).prefetch_related(None).annotate(total=Window(Count("*")))
        plan = plan_of(selectors._window_with_relations(window))
        assert plan.startswith("Limit"), (name, plan)
        assert plan.count("SubPlan") >= 3, (name, plan)  # (the amenity filter is one too)
        assert plan.index("SubPlan") < plan.index("accounts_user"), (name, plan)
        for table in ("listings_listing", "calendars_occupancy", "listings_listing_amenities"):
            assert f"Seq Scan on {table} " not in plan, (name, plan)


def test_a_cached_search_page_costs_no_query(django_assert_num_queries):
    host = UserFactory(first_name="Ana")
    wifi = Amenity.objects.create(slug="wifi", name="Wi-Fi")
    for i in range(25):
        listing = Listing.objects.create(
            host=host, title=f"Stay {i}", city="Lisbon", country="PT",
            nightly_price=Decimal(100 + i), status=Listing.Status.PUBLISHED,
        )  # fmt: skip
        listing.amenities.add(wifi)
        ListingPhoto.objects.create(listing=listing, image=f"listings/{i}.jpg")
    params = ListingSearch(city="Lisbon", ordering="price")

    # A miss on PostgreSQL: the window (with its count, hosts, photos and amenity ids) and the
    # amenities' rows; elsewhere: the window, its photos, its amenities.
    with django_assert_num_queries(2 if connection.vendor == "postgresql" else 3):
        first = listing_search_cached(params)
        count, page = first.count(), first[0:20]
    # Plain values only: a model (or a photo's FieldFile) would drag its relations along.
    assert not any(b"django.db.models" in card for card in first.head()[2])
    # A hit: nothing from the database, and the same listings with the same relations.
    with django_assert_num_queries(0):
        again = listing_search_cached(params)
        assert again.count() == count == 25
        cached = again[0:20]
        shown = [(x.title, x.host.first_name, [a.slug for a in x.amenities.all()],
                  [p.image.name for p in x.photos.all()]) for x in cached]  # fmt: skip
    fresh = list(listing_search(params)[:20])
    assert [x.pk for x in cached] == [x.pk for x in page] == [x.pk for x in fresh]
    assert shown == [
        (x.title, x.host.first_name, [a.slug for a in x.amenities.all()],
         [p.image.name for p in x.photos.all()]) for x in fresh
    ]  # fmt: skip
    assert [x.nightly_price for x in cached] == [x.nightly_price for x in fresh]
    # Past the cached window: read from the database, still the same order.
    assert [x.pk for x in again[20:25]] == [x.pk for x in listing_search(params)[20:25]]


def test_the_window_count_is_the_count_of_the_search():
    host = UserFactory()
    for i, city in zip(range(70), itertools.cycle(["Lisbon", "Porto"]), strict=False):
        Listing.objects.create(
            host=host, title=f"Stay {i}", city=city, country="PT",
            nightly_price=Decimal(100), status=Listing.Status.PUBLISHED,
        )  # fmt: skip
    assert listing_search_cached(ListingSearch(city="LISBON")).count() == 35
    assert listing_search_cached(ListingSearch(city="Nowhere")).count() == 0
    assert list(listing_search_cached(ListingSearch(city="Nowhere"))[0:20]) == []


@pytest.mark.postgres
def test_the_one_query_window_caches_what_the_generic_one_does():
    """PostgreSQL reads a window's hosts, photos and amenities in the window's own query; the
    values cached (and so every page shown from them) are those of the generic path."""
    varied_listings([UserFactory(first_name=name) for name in ("Ana", "Rui")], 8)
    for params in (
        ListingSearch(city="Lisbon", ordering="price"),
        ListingSearch(near="38.7,-9.1", radius_km=20_000),  # with distance_km
        ListingSearch(city="Nowhere"),
    ):
        window = listing_search(params).prefetch_related(None).annotate(total=Window(Count("*")))
        one = selectors._head_in_one_query(window)
        listings = list(window[: selectors.SEARCH_WINDOW])
        generic = (listings[0].total, *selectors._cards(listings)) if listings else (0, [], [])
        assert one[0] == generic[0]
        assert [pickle.loads(c) for c in one[2]] == [pickle.loads(c) for c in generic[2]]
        pages = [selectors._listings_from_cards(head[1], head[2]) for head in (one, generic)]
        assert [shown(x) for x in pages[0]] == [shown(x) for x in pages[1]]
