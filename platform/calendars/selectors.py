"""Reads of a listing's calendar."""

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import connection, connections, models, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Count, QuerySet
from django.db.models.expressions import Col
from django.db.models.sql import query as sql_query
from django.db.transaction import TransactionManagementError

from accounts.models import User
from bookings.pricing import PriceRules, night_price, night_reason, stay_nights
from common.cache import cached_read
from common.dates import today_in
from common.errors import NotFound
from listings.cache import cache_seconds, listing_token
from listings.models import Listing
from listings.permissions import can_manage_listing

from .models import CalendarDay, ChannelFeed, HostBlock, Occupancy


def calendar_overrides(
    listing: Listing, start: date, end: date
) -> tuple[dict[date, Decimal], set[date]]:
    """Custom prices and closed nights of [start, end)."""
    rows = CalendarDay.objects.filter(listing=listing, date__gte=start, date__lt=end).values_list(
        "date", "price", "is_blocked"
    )
    return _overrides_of(rows)


def _overrides_of(
    rows: Iterable[tuple[date, Decimal | None, bool]],
) -> tuple[dict[date, Decimal], set[date]]:
    prices, closed = {}, set()
    for day, price, is_blocked in rows:
        if price is not None:
            prices[day] = price
        if is_blocked:
            closed.add(day)
    return prices, closed


def listing_locked_with_overrides(
    listing_id: UUID, start: date, end: date
) -> tuple[Listing, dict[date, Decimal], set[date]]:
    """The listing's row, locked until the transaction ends (FOR UPDATE), with
    `calendar_overrides` of [start, end).

    On PostgreSQL one statement does both, written as SQL: booking_create runs it on every
    booking, and the ORM's two queries cost it about three times the CPU of this one. Reading
    the days in the locking statement guarantees as much as reading them after it: calendar
    writes do not take the listing's lock, so the lock never ordered them."""
    if not connection.in_atomic_block:
        raise TransactionManagementError("Locking a listing needs a transaction.")
    if connection.vendor != "postgresql":
        listing = Listing.objects.select_for_update().get(pk=listing_id)
        return listing, *calendar_overrides(listing, start, end)
    found = list(Listing.objects.raw(_locked_with_overrides_sql(), [start, end, listing_id]))
    if not found:
        raise Listing.DoesNotExist("No listing matches the given query.")
    listing = found[0]
    days = zip(
        listing.__dict__.pop("override_days") or (),
        listing.__dict__.pop("override_prices") or (),
        listing.__dict__.pop("override_closed") or (),
        strict=True,
    )
    return listing, *_overrides_of(days)


@functools.cache
def _locked_with_overrides_sql() -> str:
    """The listing's columns (all of them, from the model), then its calendar days of the
    stay as three arrays in date order (NULL when there are none). Parameters: start, end,
    listing id."""
    quote = connection.ops.quote_name
    concrete = Listing._meta.concrete_fields  # each has a column (the check is for mypy)
    columns = ", ".join(f"l.{quote(f.column)}" for f in concrete if f.column)
    return f"""
        SELECT {columns}, days.override_days, days.override_prices, days.override_closed
        FROM {quote(Listing._meta.db_table)} l
        LEFT JOIN LATERAL (
            SELECT array_agg(d.date ORDER BY d.date) AS override_days,
                   array_agg(d.price ORDER BY d.date) AS override_prices,
                   array_agg(d.is_blocked ORDER BY d.date) AS override_closed
            FROM {quote(CalendarDay._meta.db_table)} d
            WHERE d.listing_id = l.id AND d.date >= %s AND d.date < %s
        ) days ON true
        WHERE l.id = %s
        FOR UPDATE OF l
    """


def host_block_of(*, listing: Listing, block_id: UUID | str, actor: User) -> HostBlock:
    """One block of `listing`, for someone who may manage the listing.

    A published listing is public but its blocks are not: to anyone else a block does not
    exist, so they get the same NotFound as for an unknown block id (never a 403 that would
    confirm it exists)."""
    if not can_manage_listing(listing, actor):
        raise NotFound()
    block = HostBlock.objects.filter(listing=listing, pk=block_id).first()
    if block is None:
        raise NotFound()
    return block


def active_occupancies(
    listing: Listing, start: date, end: date, exclude_id: UUID | None = None
) -> QuerySet[Occupancy]:
    """Active occupancies (stays and blocks) overlapping the nights [start, end)."""
    qs = Occupancy.objects.filter(listing=listing, is_active=True, start__lt=end, end__gt=start)
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    return qs


def nights_are_free(listing: Listing, start: date, end: date) -> bool:
    if active_occupancies(listing, start, end).exists():
        return False
    return not CalendarDay.objects.filter(
        listing=listing, date__gte=start, date__lt=end, is_blocked=True
    ).exists()


@dataclass(frozen=True)
class DayAvailability:
    date: date
    available: bool
    price: Decimal


def listing_availability(listing: Listing, start: date, end: date) -> list[DayAvailability]:
    """Night by night for [start, end): free or not, and its price. Three queries in all."""
    prices, closed = calendar_overrides(listing, start, end)
    taken: set[date] = set()
    for occ_start, occ_end in active_occupancies(listing, start, end).values_list("start", "end"):
        taken.update(stay_nights(max(occ_start, start), min(occ_end, end)))
    rules = PriceRules.of(listing)
    today = today_in(listing.time_zone)  # past nights can no longer be booked
    return [
        DayAvailability(
            day,
            day >= today and day not in taken and day not in closed,
            night_price(rules, day, prices),
        )
        for day in stay_nights(start, end)
    ]


def occupied_ranges(listing: Listing, start: date | None = None) -> list[tuple[date, date]]:
    """Active occupied ranges, merged where they touch (for the iCalendar feed)."""
    qs = Occupancy.objects.filter(listing=listing, is_active=True).order_by("start")
    if start is not None:
        qs = qs.filter(end__gt=start)
    merged: list[list[date]] = []
    for occ_start, occ_end in qs.values_list("start", "end"):
        if merged and occ_start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], occ_end)
        else:
            merged.append([occ_start, occ_end])
    return [(a, b) for a, b in merged]


# --- the back-office calendar: several listings, a window of nights, in a fixed query count ---


@dataclass(frozen=True)
class Night:
    date: date
    price: Decimal
    reason: str  # "override", "weekend" or "weekday": why the night costs what it costs
    closed: bool  # the host closed the night (a CalendarDay with is_blocked)
    past: bool


@dataclass(frozen=True)
class Stay:
    """An active occupancy seen from the calendar: a booking or a host block."""

    id: object
    kind: str  # Occupancy.Kind
    start: date
    end: date
    label: str  # the guest's first name, or the block's note
    status: str  # the booking's status; "block" for a host block
    booking_id: object = None

    def nights_within(self, start: date, end: date) -> int:
        return (min(self.end, end) - max(self.start, start)).days


@dataclass
class ListingCalendar:
    listing: object
    start: date
    end: date
    nights: list[Night]
    stays: list[Stay]

    def stay_on(self, day: date) -> Stay | None:
        return next((s for s in self.stays if s.start <= day < s.end), None)


def calendar_grid(listings: Iterable[Listing], start: date, end: date) -> list[ListingCalendar]:
    """Night by night for [start, end), for each listing: price and why, closed nights, and the
    active bookings and blocks overlapping the window (with the guest's first name and the
    booking's status). Two queries whatever the number of listings and nights."""
    listings = list(listings)
    ids = [listing.pk for listing in listings]
    prices: dict = {pk: {} for pk in ids}
    closed: dict = {pk: set() for pk in ids}
    overrides = CalendarDay.objects.filter(listing_id__in=ids, date__gte=start, date__lt=end)
    for listing_id, day, price, is_blocked in overrides.values_list(
        "listing_id", "date", "price", "is_blocked"
    ):
        if price is not None:
            prices[listing_id][day] = price
        if is_blocked:
            closed[listing_id].add(day)
    stays: dict = {pk: [] for pk in ids}
    occupancies = (
        Occupancy.objects.filter(listing_id__in=ids, is_active=True, start__lt=end, end__gt=start)
        .select_related("booking__guest")
        .order_by("start")
    )
    for occ in occupancies:
        booking = getattr(occ, "booking", None) if occ.kind == Occupancy.Kind.BOOKING else None
        if booking is not None:
            label = booking.guest.first_name or "Guest"
            status, booking_id = booking.status, booking.pk
        else:
            label, status, booking_id = occ.note or "Blocked", "block", None
        stays[occ.listing_id].append(
            Stay(occ.pk, occ.kind, occ.start, occ.end, label, status, booking_id)
        )
    grid = []
    for listing in listings:
        rules = PriceRules.of(listing)
        today = today_in(listing.time_zone)
        own_prices = prices[listing.pk]
        nights = [
            Night(
                day,
                night_price(rules, day, own_prices),
                night_reason(rules, day, own_prices),
                day in closed[listing.pk],
                day < today,
            )
            for day in stay_nights(start, end)
        ]
        grid.append(ListingCalendar(listing, start, end, nights, stays[listing.pk]))
    return grid


def listing_availability_cached(listing: Listing, start: date, end: date) -> list[DayAvailability]:
    """`listing_availability` from the cache (invalidated by any change to the listing or its
    calendar: listings.cache)."""
    today = today_in(listing.time_zone)
    key = f"listing:{listing.pk}:{listing_token(listing.pk)}:availability:{start}:{end}:{today}"
    return cached_read(
        key, lambda: listing_availability(listing, start, end), cache_seconds("calendar")
    )


@dataclass(frozen=True)
class StayCalendar:
    """What a quote needs of the nights [start, end) of a stay: the host's price overrides,
    the nights the host closed, and whether an active stay or host block overlaps them."""

    prices: dict[date, Decimal]
    closed: set[date]
    occupied: bool

    @property
    def free(self) -> bool:
        return not self.closed and not self.occupied


def _field(model: type[models.Model], name: str) -> models.Field:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field


def _stay_sql(name: Callable[[str], str], *, terms: bool, own: bool) -> tuple[str, list[Col]]:
    """The SQL of `_stay_rows` (`name` quotes a table or column name) and the columns it
    selects, whose converters turn the driver's values into the ORM's."""
    lst, day, occ = Listing, CalendarDay, Occupancy

    def column(model: type[models.Model], alias: str, field: str) -> str:
        return f"{alias}.{name(str(_field(model, field).column))}"

    listing_cols = [f.get_col("l") for f in lst._meta.concrete_fields] if terms else []
    day_cols = [_field(day, f).get_col("d") for f in ("date", "price", "is_blocked")]
    selected = ", ".join(
        f"{c.alias}.{name(str(c.target.column))}" for c in (*listing_cols, *day_cols)
    )
    # The listing's id is a parameter of each part rather than a correlation to `l`: the same
    # rows, and PostgreSQL plans it faster (0.15-0.19 ms instead of 0.21-0.26 at 10,000
    # listings; planning is most of what the database spends on this query, ~0.04 ms running).
    sql = (
        f"SELECT {selected}, EXISTS (SELECT 1 FROM {name(occ._meta.db_table)} o"
        f" WHERE {column(occ, 'o', 'listing')} = %s"
        f" AND {column(occ, 'o', 'is_active')} AND {column(occ, 'o', 'start')} < %s"
        f" AND {column(occ, 'o', 'end')} > %s)"
        f" FROM {name(lst._meta.db_table)} l LEFT OUTER JOIN {name(day._meta.db_table)} d"
        f" ON {column(day, 'd', 'listing')} = %s"
        f" AND {column(day, 'd', 'date')} >= %s AND {column(day, 'd', 'date')} < %s"
        f" WHERE {column(lst, 'l', 'id')} = %s"
    )
    if terms:
        sql += f" AND ({column(lst, 'l', 'status')} = %s"
        sql += f" OR {column(lst, 'l', 'host')} = %s)" if own else ")"
    occupied = _field(occ, "is_active").get_col("o")  # the EXISTS, as a boolean
    return sql, [*listing_cols, *day_cols, occupied]


@functools.lru_cache(maxsize=64)
def _stay_query(connection: BaseDatabaseWrapper, terms: bool, own: bool) -> tuple[str, Any, dict]:
    """`_stay_sql` with its compiler and converters, made once per database connection (the
    converters belong to it). Written out rather than built by the ORM: the ORM's
    FilteredRelation + Exists queryset cost ~1.7 ms of CPU to build and compile per quote,
    several times what the database spends on it."""
    sql, columns = _stay_sql(connection.ops.quote_name, terms=terms, own=own)
    compiler = sql_query.Query(Listing).get_compiler(connection=connection)
    return sql, compiler, compiler.get_converters(columns)


def _stay_rows(
    listing_id: UUID | str, start: date, end: date, *, terms: bool = False, host: User | None = None
) -> tuple[str, list]:
    """The stay's calendar in one query, one row per calendar day the host set in [start, end)
    (one row of NULL days when none): the day's date, price and closed flag, then whether an
    active stay or host block overlaps the nights. With `terms`, each row starts with the
    listing's own columns, and only a published listing (or `host`'s own) is read.
    Returns the database alias read and the rows."""
    alias = router.db_for_read(Listing)
    connection = connections[alias]
    sql, compiler, converters = _stay_query(connection, terms, host is not None)
    as_date = connection.ops.adapt_datefield_value
    pk = Listing._meta.get_field("id").get_db_prep_value(listing_id, connection)
    first, last = as_date(start), as_date(end)
    params = [pk, last, first, pk, first, last, pk]
    if terms:
        params.append(Listing.Status.PUBLISHED.value)
    if host is not None:
        params.append(Listing._meta.get_field("host").get_db_prep_value(host.pk, connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return alias, list(compiler.apply_converters(rows, converters)) if converters else rows


def _stay_calendar_of(rows: list) -> StayCalendar:
    """No rows: the listing is not in the database (nothing occupies it)."""
    prices, closed = {}, set()
    for *_terms, day, price, is_blocked, _occupied in rows:
        if price is not None:
            prices[day] = price
        if is_blocked:
            closed.add(day)
    return StayCalendar(prices=prices, closed=closed, occupied=bool(rows and rows[0][-1]))


def stay_calendar(listing: Listing, start: date, end: date) -> StayCalendar:
    """The calendar of a stay at `listing`, in one query. Read from the database, not the
    read cache: each stay is its own key, so a cache would mostly miss, and a miss (token,
    entry, lock, store, unlock) costs five round trips to answer what one indexed query does."""
    _alias, rows = _stay_rows(listing.pk, start, end)
    return _stay_calendar_of(rows)


def listing_with_stay_calendar(
    user: User | None, listing_id: UUID | str, start: date, end: date
) -> tuple[Listing, StayCalendar] | None:
    """What a quote reads, in one query: the listing's own row (its terms; not its host,
    amenities or photos), published or the caller's own, with the stay's calendar. None when
    the caller may not see such a listing."""
    own = user if user is not None and user.is_authenticated else None
    alias, rows = _stay_rows(listing_id, start, end, terms=True, host=own)
    if not rows:
        return None
    fields = [f.attname for f in Listing._meta.concrete_fields]
    listing = Listing.from_db(alias, fields, rows[0][: len(fields)])
    return listing, _stay_calendar_of(rows)


def channel_feeds_of(listing: Listing, user: User) -> QuerySet[ChannelFeed]:
    """A listing's channel feeds, for those who manage it; for anyone else they do not exist
    (like host blocks, they are the host's business)."""
    if not can_manage_listing(listing, user):
        raise NotFound()
    return (
        ChannelFeed.objects.filter(listing=listing)
        .select_related("listing")
        .annotate(block_count=Count("blocks"))
        .order_by("created_at", "id")
    )
