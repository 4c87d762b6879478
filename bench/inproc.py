"""The rows measured inside one Django process, against the seeded database.

Run by bench/run.py as `python -m bench.inproc <command> [options]` with
DJANGO_SETTINGS_MODULE=bench.settings; prints one JSON object on stdout.

- facts: what the HTTP rows need (listing ids, cities, staff/host sessions).
- search: the REST search through Django's whole request stack (in-process, no socket) against
  hand-written SQL answering the same question (count + the page of 20, with host, amenities
  and photos). Each pair asks a question nobody asked before (its own dates), so neither side is
  served by a cache: the SQL has none.
- booking: `booking_create` against a plain Occupancy + Booking insert (priced by the same quote
  code, history included), each committed; the rows are deleted afterwards.
- dashboard: the back-office dashboard's callback for staff with a cold cache.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time

import django

QUESTION_DAYS = 30  # first check-in of the search questions, days from today
BENCH_GUEST = "bench-guest@example.org"


def main(argv=None) -> None:
    django.setup()
    parser = argparse.ArgumentParser(prog="bench.inproc")
    parser.add_argument("command")
    parser.add_argument("--pairs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--filters", action="store_true", help="search: amenities + price")
    args = parser.parse_args(argv)
    command = {
        "facts": facts,
        "search": search,
        "booking": booking,
        "dashboard": dashboard,
    }[args.command]
    json.dump(command(args), sys.stdout)
    sys.stdout.write("\n")


# --- facts for the HTTP rows ----------------------------------------------------------------------


def session_cookie(email: str) -> dict:
    """A logged-in back-office session of `email`, stored where gunicorn's workers read it
    (same database and cache), without going through the login form and its lockouts."""
    from django.conf import settings
    from django.test import Client

    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email=email))
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
    }


def facts(args) -> dict:
    from django.db import connection

    from bookings.models import Booking
    from listings.models import Listing

    published = Listing.objects.filter(status=Listing.Status.PUBLISHED).order_by("id")
    ids = [str(pk) for pk in published.values_list("id", flat=True)[:2000]]
    with connection.cursor() as cursor:
        cursor.execute("select version()")
        postgres = cursor.fetchone()[0]
    return {
        "listings": Listing.objects.count(),
        "bookings": Booking.objects.count(),
        "listing_ids": ids,
        "admin": session_cookie("admin@example.com"),
        "host": session_cookie("host@example.com"),
        "postgres": postgres,
    }


# --- search ---------------------------------------------------------------------------------------

AMENITIES = ("kitchen", "wifi")

SQL_WHERE = """
    l.status = 'published' AND l.city = %(city)s AND l.max_guests >= %(guests)s
    AND l.min_nights <= %(nights)s AND l.max_nights >= %(nights)s
    AND NOT EXISTS (SELECT 1 FROM calendars_occupancy o WHERE o.listing_id = l.id
                    AND o.is_active AND o.start < %(check_out)s AND o."end" > %(check_in)s)
    AND NOT EXISTS (SELECT 1 FROM calendars_calendarday d WHERE d.listing_id = l.id
                    AND d.is_blocked AND d.date >= %(check_in)s AND d.date < %(check_out)s)
"""
SQL_FILTERS = """
    AND l.currency = %(currency)s AND l.nightly_price BETWEEN %(min_price)s AND %(max_price)s
    AND l.id IN (SELECT la.listing_id FROM listings_listing_amenities la
                 JOIN listings_amenity a ON a.id = la.amenity_id
                 WHERE a.slug = ANY(%(amenities)s)
                 GROUP BY la.listing_id HAVING count(*) = %(amenity_count)s)
"""
SQL_PAGE = """
SELECT l.id, l.title, l.city, l.country, l.property_type, l.nightly_price, l.currency,
       l.max_guests, l.bedrooms, l.beds, l.bathrooms, l.rating_average, l.review_count,
       l.instant_book, l.latitude, l.longitude, u.id, u.first_name,
       ARRAY(SELECT a.slug FROM listings_listing_amenities la
             JOIN listings_amenity a ON a.id = la.amenity_id
             WHERE la.listing_id = l.id ORDER BY a.slug) AS amenities,
       ARRAY(SELECT p.image FROM listings_listingphoto p
             WHERE p.listing_id = l.id ORDER BY p.position, p.created_at) AS photos
FROM listings_listing l JOIN accounts_user u ON u.id = l.host_id
WHERE {where}
ORDER BY l.created_at DESC, l.id
LIMIT 20
"""


def question(i: int, *, filters: bool) -> dict:
    """The i-th search question: a city, 2 guests, 3 nights starting on a day of its own."""
    from demo import catalogue

    offset = QUESTION_DAYS + (i if i >= 0 else 400 - i)  # warm-up questions come later in time
    check_in = dt.date.today() + dt.timedelta(days=offset)
    city = catalogue.CITIES[i % len(catalogue.CITIES)]
    q = {
        "city": city[0],
        "guests": 2,
        "check_in": check_in,
        "check_out": check_in + dt.timedelta(days=3),
        "nights": 3,
    }
    if filters:  # prices are per currency: the city's
        q.update(
            currency=city[3],
            # about half of a city's listings: its typical price x 0.9 to 1.2
            min_price=round(city[6] * 0.9),
            max_price=round(city[6] * 1.2),
            amenities=list(AMENITIES),
            amenity_count=len(AMENITIES),
        )
    return q


def rest_params(q: dict) -> dict:
    params = {
        "city": q["city"].lower(),
        "guests": q["guests"],
        "check_in": q["check_in"].isoformat(),
        "check_out": q["check_out"].isoformat(),
    }
    if "amenities" in q:
        params.update(
            amenities=",".join(q["amenities"]),
            currency=q["currency"],
            min_price=q["min_price"],
            max_price=q["max_price"],
        )
    return params


def sql_answer(q: dict) -> tuple[int, list]:
    from django.db import connection

    where = SQL_WHERE + (SQL_FILTERS if "amenities" in q else "")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM listings_listing l WHERE {where}", q)
        count = cursor.fetchone()[0]
        cursor.execute(SQL_PAGE.format(where=where), q)
        rows = cursor.fetchall()
    return count, rows


def search(args) -> dict:
    from django.test import Client

    from bench.stats import interleave

    client = Client()
    filters = args.filters

    def rest(i):
        response = client.get("/api/v1/listings/", rest_params(question(i, filters=filters)))
        if response.status_code != 200:
            raise RuntimeError(f"search answered {response.status_code}: {response.content[:300]}")
        return response

    def sql(i):
        return sql_answer(question(i, filters=filters))

    # The hand-written SQL must answer the same question: same count, same first page.
    agree = []
    for i in range(3):
        body = rest(10_000 + i).json()
        count, rows = sql(10_000 + i)
        agree.append(
            body["count"] == count
            and [r["id"] for r in body["results"]] == [str(r[0]) for r in rows]
        )
    pairs = interleave(rest, sql, pairs=args.pairs, warmup=args.warmup)
    sample = rest_params(question(0, filters=filters))
    return {
        **pairs.as_dict(),
        "samples": {"a": pairs.a, "b": pairs.b},
        "same_answer": all(agree),
        "question": sample,
    }


# --- booking_create -------------------------------------------------------------------------------


def booking(args) -> dict:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from bench.stats import interleave
    from bookings.models import Booking, BookingStatus
    from bookings.services import booking_create
    from demo.seed import historic_booking
    from listings.models import Listing

    guest, _ = User.objects.get_or_create(email=BENCH_GUEST, defaults={"first_name": "Bench"})
    _delete_bench_bookings(guest)
    need = args.pairs + args.warmup + 2
    pool = list(
        Listing.objects.filter(
            status=Listing.Status.PUBLISHED,
            instant_book=True,
            min_nights__lte=3,
            max_nights__gte=3,
            max_guests__gte=2,
        )
        .exclude(host=guest)
        .order_by("id")[:need]
    )
    if len(pool) < need:
        raise RuntimeError(f"need {need} instant-book listings, found {len(pool)}")
    start = dt.date.today() + dt.timedelta(days=300)

    def listing_for(i):
        # pool[0] and pool[1] are for counting queries; then one listing per run.
        return pool[2 + i] if i >= 0 else pool[2 + args.pairs - 1 - i]

    def insert_plain(listing, check_in):
        with transaction.atomic():
            historic_booking(
                listing,
                guest,
                check_in,
                check_in + dt.timedelta(days=3),
                BookingStatus.PENDING_PAYMENT,
            )

    def service(i):
        booking_create(
            guest=guest,
            listing=listing_for(i),
            check_in=start,
            check_out=start + dt.timedelta(days=3),
            guests=2,
        )

    def plain(i):
        insert_plain(listing_for(i), start + dt.timedelta(days=10))

    queries = {}
    with CaptureQueriesContext(connection) as ctx:
        booking_create(
            guest=guest,
            listing=pool[0],
            check_in=start,
            check_out=start + dt.timedelta(days=3),
            guests=2,
        )
    queries["a"] = len(ctx.captured_queries)
    with CaptureQueriesContext(connection) as ctx:
        insert_plain(pool[1], start)
    queries["b"] = len(ctx.captured_queries)
    try:
        pairs = interleave(service, plain, pairs=args.pairs, warmup=args.warmup)
    finally:
        created = Booking.objects.filter(guest=guest).count()
        _delete_bench_bookings(guest)
    return {
        **pairs.as_dict(),
        "samples": {"a": pairs.a, "b": pairs.b},
        "queries": queries,
        "created_and_deleted": created,
    }


def _delete_bench_bookings(guest) -> None:
    """The benchmark's own stays, their occupancies and their history: the database is reused."""
    from bookings.models import Booking
    from calendars.models import Occupancy

    bookings = Booking.objects.filter(guest=guest)
    occupancy_ids = list(bookings.values_list("occupancy_id", flat=True))
    booking_ids = list(bookings.values_list("id", flat=True))
    from notifications.models import Notification

    Notification.objects.filter(ref__in=[f"booking:{pk}" for pk in booking_ids]).delete()
    bookings.delete()
    Booking.history.filter(id__in=booking_ids).delete()
    Occupancy.objects.filter(id__in=occupancy_ids).delete()
    Occupancy.history.filter(id__in=occupancy_ids).delete()


# --- dashboard ------------------------------------------------------------------------------------


def dashboard(args) -> dict:
    """The staff dashboard's figures as a person pays for them when the cache is cold: each run
    reads through a cache key prefix nobody used before, so every cached figure is a miss."""
    from django.conf import settings
    from django.contrib.auth.models import AnonymousUser
    from django.core.cache import cache
    from django.test import RequestFactory
    from django.utils.module_loading import import_string

    from accounts.models import User
    from bench.stats import summary, timed

    callback = settings.UNFOLD["DASHBOARD_CALLBACK"]
    callback = import_string(callback) if isinstance(callback, str) else callback
    admin = User.objects.get(email="admin@example.com")
    factory = RequestFactory()
    base_prefix = cache.key_prefix
    run = f"{time.time():.0f}"

    def figures(i):
        request = factory.get("/admin/")
        request.user = admin or AnonymousUser()
        cache.key_prefix = f"{base_prefix}-bench-cold-{run}-{i}"
        try:
            callback(request, {})
        finally:
            cache.key_prefix = base_prefix

    for i in range(args.warmup):
        figures(-1 - i)
    samples = [timed(figures, i) for i in range(args.pairs)]
    return {"a": summary(samples), "samples": {"a": samples}}


if __name__ == "__main__":
    main()
