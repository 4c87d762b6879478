"""Changelists at scale: no filter enumerates a big table, counts stay cheap, and on
PostgreSQL the queries of the main pages read bookings and listings through their indexes.

The tables are filled in bulk (SQL for bookings) so these stay fast; how fast the pages are is
measured by `make bench`, not here."""

import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from backoffice.admin.filters import EstimatedCountPaginator
from bookings.models import Booking
from listings.cache import listings_changed
from listings.models import Listing
from tests.factories import ListingFactory

pytestmark = pytest.mark.django_db

PAGE_BYTES = 500_000
CITIES = ("Porto", "Lisbon", "Faro", "Braga", "Coimbra", "Évora", "Aveiro")


def bulk_hosts(n: int) -> list[User]:
    return User.objects.bulk_create(
        User(email=f"bulk-host-{i}@example.test", first_name=f"Host{i}") for i in range(n)
    )


def bulk_listings(hosts, n: int) -> list[Listing]:
    listings = Listing.objects.bulk_create(
        Listing(host=hosts[i % len(hosts)], title=f"Bulk listing {i}", city=CITIES[i % 7],
                country="PT", nightly_price=Decimal("80"), status=Listing.Status.PUBLISHED)
        for i in range(n)
    )  # fmt: skip
    listings_changed(listing.pk for listing in listings)  # bulk_create skips the signals
    return listings


def bulk_bookings_sql(n: int, guest) -> None:
    """n bookings spread over every listing, in one INSERT ... SELECT (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH numbered AS (
                SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM listings_listing
            )
            INSERT INTO bookings_booking (
                id, created_at, updated_at, check_in, check_out, guests, status, currency,
                nightly_subtotal, discount, cleaning_fee, service_fee, taxes, total, host_fee,
                price_snapshot, cancellation_policy, policy_snapshot, amount_paid,
                cancellation_reason, guest_id, listing_id)
            SELECT gen_random_uuid(), now() - g * interval '1 minute', now(),
                   DATE '2024-01-01' + g %% 700, DATE '2024-01-01' + g %% 700 + 2, 1,
                   (ARRAY['completed', 'cancelled', 'confirmed', 'requested'])[1 + g %% 4],
                   'EUR', 160, 0, 0, 20, 0, 180, 5, '{}', 'moderate', '{}', 0, '', %s,
                   numbered.id
            FROM generate_series(0, %s - 1) AS g
            JOIN numbered ON numbered.n = g %% (SELECT count(*) FROM listings_listing)
            """,
            [guest.pk, n],
        )
        cursor.execute("ANALYZE bookings_booking")
        cursor.execute("ANALYZE listings_listing")
        cursor.execute("ANALYZE accounts_user")


def options_in(html: str) -> int:
    return len(re.findall(r"<option\b", html))


# --- filters never enumerate a big table ---------------------------------------------------


STAFF_PAGES = [
    "admin:bookings_booking_changelist",
    "admin:listings_listing_changelist",
    "admin:payments_payout_changelist",
    "admin:reviews_review_changelist",
    "admin:calendars_calendarday_changelist",
    "admin:calendars_hostblock_changelist",
]


def test_staff_pages_carry_no_option_per_listing_or_person(as_staff, guest):
    hosts = bulk_hosts(300)
    bulk_listings(hosts, 1500)
    for url_name in STAFF_PAGES:
        html = as_staff.get(reverse(url_name)).content.decode()
        # The listing and host filters are autocomplete boxes: no <option> per row of a big
        # table (there were 10,019 listings and 6,000 people in the page at scale).
        assert options_in(html) < 40, (url_name, options_in(html))
        assert len(html) < PAGE_BYTES, (url_name, len(html))
        assert "Bulk listing 1499" not in html.split("<tbody", 1)[0], url_name


def test_the_listing_filter_of_bookings_is_an_autocomplete_that_filters(
    as_staff, guest, own_listing, foreign_listing
):
    for listing in (own_listing, foreign_listing):
        Booking.objects.create(
            guest=guest, listing=listing, check_in="2030-01-01", check_out="2030-01-03",
            guests=1, status="confirmed", currency="EUR", nightly_subtotal=200, discount=0,
            cleaning_fee=0, service_fee=20, taxes=0, total=220, host_fee=6,
            price_snapshot={}, cancellation_policy="moderate", policy_snapshot={},
        )  # fmt: skip
    url = reverse("admin:bookings_booking_changelist")
    page = as_staff.get(url).content.decode()
    assert 'data-ajax--url="/admin/autocomplete/"' in page
    assert "unfold-filter-autocomplete" in page

    chosen = as_staff.get(url, {"listing__id__exact": own_listing.pk}).content.decode()
    rows = chosen.split("<tbody", 1)[1]
    assert "Hannah loft" in rows and "Faraway villa" not in rows
    # The chosen listing is named in the box (one query for it, not a list of all of them).
    assert re.search(rf'<option value="{own_listing.pk}" selected>Hannah loft</option>', chosen)


def test_the_autocomplete_answers_from_the_scoped_listings(as_staff, as_host, own_listing,
                                                           foreign_listing):  # fmt: skip
    params = {"app_label": "bookings", "model_name": "booking", "field_name": "listing"}
    url = reverse("admin:autocomplete")
    staff_sees = json.loads(as_staff.get(url, {**params, "term": ""}).content)["results"]
    assert {r["text"] for r in staff_sees} == {"Hannah loft", "Faraway villa"}
    # The filter is staff-only, but the endpoint behind it still answers by the caller's scope.
    host_sees = json.loads(as_host.get(url, {**params, "term": ""}).content)["results"]
    assert [r["text"] for r in host_sees] == ["Hannah loft"]


def test_the_city_filter_of_bookings_reads_listings_not_the_bookings_join(
    as_staff, as_host, own_listing, foreign_listing
):
    url = reverse("admin:bookings_booking_changelist")
    with CaptureQueriesContext(connection) as queries:
        staff_page = as_staff.get(url).content.decode()
    assert "?listing__city=Faro" in staff_page and "?listing__city=Porto" in staff_page
    distinct = [q["sql"] for q in queries if "DISTINCT" in q["sql"]]
    assert distinct and all("bookings_booking" not in sql for sql in distinct)
    # A host's choices are the cities of their own listings.
    host_page = as_host.get(url).content.decode()
    assert "?listing__city=Porto" in host_page and "listing__city=Faro" not in host_page


def test_a_new_city_shows_in_the_filter_at_once(as_staff, host):
    url = reverse("admin:listings_listing_changelist")
    ListingFactory(host=host, city="Porto")
    assert "?city=Porto" in as_staff.get(url).content.decode()  # now cached
    ListingFactory(host=host, city="Sintra")  # a write replaces the listings' search token
    assert "?city=Sintra" in as_staff.get(url).content.decode()


def test_the_audit_person_filter_never_reads_every_person(as_staff, staff):
    bulk_hosts(300)
    url = reverse("admin:audit_timeline")
    with CaptureQueriesContext(connection) as queries:
        page = as_staff.get(url, {"person": staff.pk}).content.decode()
    every_person = [
        q["sql"] for q in queries if 'FROM "accounts_user"' in q["sql"] and "WHERE" not in q["sql"]
    ]
    assert every_person == []  # unfold's widget walked all of them to print only the chosen one
    assert re.search(rf'<option value="{staff.pk}" selected>[^<]*staff@example.test', page)
    assert options_in(page) < 40


# --- counts ---------------------------------------------------------------------------------


@pytest.mark.postgres
def test_counts_are_exact_under_the_cap_and_estimated_above(guest):
    bulk_listings(bulk_hosts(20), 100)
    bulk_bookings_sql(3000, guest)
    cap = EstimatedCountPaginator.cap

    def count(queryset):
        with CaptureQueriesContext(connection) as queries:
            value = EstimatedCountPaginator(queryset, 50).count
        return value, [q["sql"] for q in queries]

    # Unfiltered: the table's statistics, no COUNT at all.
    estimated, sqls = count(Booking.objects.order_by("-created_at"))
    assert abs(estimated - 3000) < 300
    assert not any("COUNT(" in sql.upper() for sql in sqls)
    # Filtered, many rows (2,250): the planner's estimate, no COUNT either.
    estimated, sqls = count(Booking.objects.exclude(status="requested"))
    assert cap < estimated and abs(estimated - 2250) < 300
    assert not any("COUNT(" in sql.upper() for sql in sqls)
    # A union (the audit timeline): the planner's estimate of the whole, not one table's.
    union = (
        Booking.objects.values("id").union(Booking.objects.values("id"), all=True).order_by("id")
    )
    estimated, sqls = count(union)
    assert abs(estimated - 6000) < 600
    assert not any("COUNT(" in sql.upper() for sql in sqls)
    # Filtered, few rows: exact, reading at most cap + 1 of them.
    few = Booking.objects.filter(status="requested", check_in__lt="2024-01-15")
    exact, sqls = count(few)
    assert exact == few.count() < cap
    assert any(f"LIMIT {cap + 1}" in sql for sql in sqls)


# --- plans ----------------------------------------------------------------------------------


def _plans(queries) -> list[tuple[str, str]]:
    """EXPLAIN of every captured SELECT that reads bookings or listings."""
    plans = []
    with connection.cursor() as cursor:
        for query in queries:
            sql = query["sql"]
            if not sql.startswith("SELECT") or not re.search(r"bookings_booking|listings_listing",
                                                             sql):  # fmt: skip
                continue
            cursor.execute(f"EXPLAIN {sql}")
            plans.append((sql, "\n".join(row[0] for row in cursor.fetchall())))
    return plans


@pytest.mark.postgres
def test_changelist_queries_use_indexes_at_scale(as_staff, as_host, host, guest):
    hosts = bulk_hosts(400)
    listings = bulk_listings(hosts, 4000)
    mine = bulk_listings([host], 5)
    bulk_bookings_sql(40_000, guest)
    bookings = reverse("admin:bookings_booking_changelist")
    pages = [
        (as_staff, bookings, {}),
        (as_staff, bookings, {"status__exact": "requested"}),
        (as_staff, bookings, {"listing__id__exact": listings[7].pk}),
        (as_staff, bookings, {"listing__city": "Faro"}),
        (as_host, bookings, {}),
        (as_staff, reverse("admin:listings_listing_changelist"), {}),
        (as_staff, reverse("admin:listings_listing_changelist"), {"host__id__exact": hosts[3].pk}),
        (as_host, reverse("admin:listings_listing_changelist"), {}),
    ]
    assert mine
    for client, url, params in pages:
        client.get(url, params)  # the filter values are read once per listing write: cached now
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, params).status_code == 200
        plans = _plans(queries)
        assert plans, url
        for sql, plan in plans:
            for table in ("bookings_booking", "listings_listing"):
                assert f"Seq Scan on {table}" not in plan, (url, params, sql, plan)


@pytest.mark.postgres
def test_the_default_order_reads_a_page_not_the_whole_table(as_staff, guest):
    """The changelists' default order is `-created_at` plus the primary key as a tie-break
    (ORDER BY created_at DESC, id DESC). With only a created_at index PostgreSQL read and
    sorted every row sharing a timestamp (at scale: all 100,000 bookings, 340 ms for a page of
    50); the (created_at DESC, id DESC) indexes hand the page over in order, with no sort."""
    bulk_listings(bulk_hosts(200), 2000)
    bulk_bookings_sql(20_000, guest)
    with connection.cursor() as cursor:  # rows written together share their timestamp (seeds,
        for table in ("bookings_booking", "listings_listing"):  # imports): a few per day
            cursor.execute(f"UPDATE {table} SET created_at = date_trunc('day', created_at)")
            cursor.execute(f"ANALYZE {table}")
    pages = {
        reverse("admin:bookings_booking_changelist"): ("bookings_booking", "booking_newest_first"),
        reverse("admin:listings_listing_changelist"): ("listings_listing", "listing_newest_first"),
    }
    for url, (table, index) in pages.items():
        as_staff.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert as_staff.get(url).status_code == 200
        page = [
            (sql, plan)
            for sql, plan in _plans(queries)
            if f'FROM "{table}"' in sql and "ORDER BY" in sql and "LIMIT 50" in sql
        ]
        assert len(page) == 1, (url, [sql for sql, _plan in _plans(queries)])
        sql, plan = page[0]
        assert f"Index Scan using {index} on {table}" in plan, (url, plan)
        assert "Sort" not in plan.split("SubPlan", 1)[0], (url, plan)
