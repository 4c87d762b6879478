"""Listing reads shared by REST, GraphQL and the back-office, already optimised."""

import functools
import math
import pickle
import uuid
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection, connections, models, router
from django.db.models import (
    Count,
    Exists,
    F,
    FloatField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    Window,
    prefetch_related_objects,
)
from django.db.models.expressions import CombinedExpression, OrderBy
from django.db.models.fields.files import FieldFile
from django.db.models.functions import ASin, Cast, Cos, JSONArray, Least, Radians, Sin, Sqrt
from django.utils import timezone
from django.utils.functional import cached_property

from accounts.models import User
from calendars.models import CalendarDay, Occupancy
from common.cache import cached_read, digest, read_keys
from common.dates import today_in, validate_range
from common.errors import ValidationFailed
from common.money import SUPPORTED_CURRENCIES

from .cache import cache_seconds, listing_token_name, search_token
from .models import Amenity, Listing, ListingPhoto

MAX_AMENITY_FILTERS = 20

ORDERINGS: dict[str, tuple[str | OrderBy, str]] = {
    "price": ("nightly_price", "id"),
    "-price": ("-nightly_price", "id"),
    "rating": (F("rating_average").asc(nulls_first=True), "id"),
    "-rating": (F("rating_average").desc(nulls_last=True), "id"),
    "newest": ("-created_at", "id"),
}


@dataclass(frozen=True)
class ListingSearch:
    city: str | None = None
    country: str | None = None
    check_in: date | None = None
    check_out: date | None = None
    guests: int | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    amenities: tuple[str, ...] = ()
    ordering: str = "newest"
    mine_for: object | None = None  # a user: search only their own listings, any status
    bbox: str | None = None  # "min_lng,min_lat,max_lng,max_lat", a map viewport
    near: str | None = None  # "lat,lng": results within radius_km, nearest first
    radius_km: float | None = None
    q: str | None = None  # words to find in the title, description or city
    currency: str | None = None  # listings priced in it; required by min_price / max_price


def listing_prefetches() -> list[Prefetch]:
    """The related rows a listing's output shows; also for `prefetch_related_objects` on
    listings reached through another model (a page of bookings)."""
    return [
        Prefetch("amenities", queryset=Amenity.objects.order_by("slug")),
        Prefetch("photos", queryset=ListingPhoto.objects.order_by("position", "created_at")),
    ]


def listing_base_queryset() -> QuerySet:
    """Listings with what a list page shows, in a fixed number of queries."""
    return Listing.objects.select_related("host").prefetch_related(*listing_prefetches())


def listing_visible_to(user: User) -> QuerySet:
    """Published listings, plus the caller's own in any status."""
    qs = listing_base_queryset()
    if user is not None and user.is_authenticated:
        return qs.filter(Q(status=Listing.Status.PUBLISHED) | Q(host=user))
    return qs.filter(status=Listing.Status.PUBLISHED)


def _check_text_filters(params: ListingSearch) -> None:
    """An empty place filter is a mistake (a form sent without a value), not "anywhere": both
    APIs refuse `country=` / `city=` the same way."""
    for field in ("city", "country"):
        value = getattr(params, field)
        if value is not None and not value.strip():
            raise ValidationFailed("invalid_filter", f"`{field}` may not be empty.", field)


# --- Map search -------------------------------------------------------------------------------

EARTH_RADIUS_KM = 6371.0088  # mean radius
MAX_RADIUS_KM = 20_000.0  # about half the Earth's circumference: everywhere


def _numbers(raw: str, count: int, field: str, shape: str) -> list[float]:
    parts = raw.split(",") if isinstance(raw, str) else []
    try:
        values = [float(part) for part in parts]
    except ValueError:
        values = []
    if len(values) != count or not all(math.isfinite(v) for v in values):
        raise ValidationFailed("invalid_filter", f"`{field}` must be {shape}.", field)
    return values


def _check_lat_lng(lat: float, lng: float, field: str) -> None:
    if not -90 <= lat <= 90:
        raise ValidationFailed("invalid_filter", "Latitudes are between -90 and 90.", field)
    if not -180 <= lng <= 180:
        raise ValidationFailed("invalid_filter", "Longitudes are between -180 and 180.", field)


def parse_bbox(raw: str) -> tuple[float, float, float, float]:
    """A map viewport "min_lng,min_lat,max_lng,max_lat"; min_lng > max_lng is a box crossing
    the antimeridian (180°)."""
    min_lng, min_lat, max_lng, max_lat = _numbers(
        raw, 4, "bbox", "min_lng,min_lat,max_lng,max_lat in degrees, e.g. 2.25,48.81,2.42,48.90"
    )
    _check_lat_lng(min_lat, min_lng, "bbox")
    _check_lat_lng(max_lat, max_lng, "bbox")
    if min_lat > max_lat:
        raise ValidationFailed("invalid_filter", "`bbox`: min_lat is above max_lat.", "bbox")
    return min_lng, min_lat, max_lng, max_lat


def parse_near(raw: str, radius_km: float | None) -> tuple[float, float, float]:
    lat, lng = _numbers(raw, 2, "near", "lat,lng in degrees, e.g. 48.85,2.35")
    _check_lat_lng(lat, lng, "near")
    if radius_km is None:
        raise ValidationFailed("invalid_filter", "Give `radius_km` with `near`.", "radius_km")
    radius = float(radius_km)
    if not (math.isfinite(radius) and 0 < radius <= MAX_RADIUS_KM):
        raise ValidationFailed(
            "invalid_filter",
            f"`radius_km` must be more than 0 and at most {MAX_RADIUS_KM:g}.",
            "radius_km",
        )
    return lat, lng, radius


def _longitude_between(west: float, east: float) -> Q:
    """Longitudes from `west` eastwards to `east`, across the antimeridian if west > east."""
    if west <= east:
        return Q(longitude__gte=west, longitude__lte=east)
    return Q(longitude__gte=west) | Q(longitude__lte=east)


def _in_bbox(qs: QuerySet, raw: str) -> QuerySet:
    min_lng, min_lat, max_lng, max_lat = parse_bbox(raw)
    return qs.filter(
        Q(latitude__gte=min_lat, latitude__lte=max_lat), _longitude_between(min_lng, max_lng)
    )


def near_prefilter(lat: float, lng: float, radius_km: float) -> Q:
    """A box holding every point within `radius_km` of (lat, lng), for the (latitude, longitude)
    index; the exact distance is then checked. A box reaching a pole takes every longitude;
    one crossing the antimeridian takes two longitude ranges."""
    angle = radius_km / EARTH_RADIUS_KM  # radians along a great circle
    dlat = math.degrees(angle)
    south, north = lat - dlat, lat + dlat
    box = Q(latitude__gte=max(south, -90.0), latitude__lte=min(north, 90.0))
    if south <= -90 or north >= 90 or angle >= math.pi / 2:
        return box
    # The widest longitude span of a circle of angular radius `angle` around latitude `lat`.
    ratio = math.sin(angle) / math.cos(math.radians(lat))
    if ratio >= 1:
        return box
    dlng = math.degrees(math.asin(ratio)) + 1e-9
    west, east = lng - dlng, lng + dlng
    if west < -180:
        west += 360
    if east > 180:
        east -= 360
    return box & _longitude_between(west, east)


def distance_km_expression(lat: float, lng: float) -> CombinedExpression:
    """The haversine great-circle distance from (lat, lng) in SQL (Django provides the same
    math functions on SQLite, so both databases give the same answers)."""
    row_lat = Radians(Cast("latitude", FloatField()))
    row_lng = Radians(Cast("longitude", FloatField()))
    lat0, lng0 = Value(math.radians(lat)), Value(math.radians(lng))
    half_dlat = Sin((row_lat - lat0) / Value(2.0))
    half_dlng = Sin((row_lng - lng0) / Value(2.0))
    a = half_dlat * half_dlat + Value(math.cos(math.radians(lat))) * Cos(row_lat) * (
        half_dlng * half_dlng
    )
    return Value(2 * EARTH_RADIUS_KM) * ASin(Sqrt(Least(a, Value(1.0))))


def _near(qs: QuerySet, raw: str, radius_km: float | None) -> QuerySet:
    lat, lng, radius = parse_near(raw, radius_km)
    return (
        qs.filter(near_prefilter(lat, lng, radius))
        .annotate(distance_km=distance_km_expression(lat, lng))
        .filter(distance_km__lte=radius)
    )


# --- Text search ------------------------------------------------------------------------------

MAX_QUERY_LENGTH = 200
TEXT_SEARCH_CONFIG = "english"


def text_search_vector() -> SearchVector:
    """The document a text search matches; migration 0008 indexes this very expression (GIN),
    so the two must stay identical."""
    return SearchVector("title", "description", "city", config=TEXT_SEARCH_CONFIG)


def _check_query(q: str) -> str:
    if len(q) > MAX_QUERY_LENGTH:  # the code every interface uses for text over its limit
        raise ValidationFailed("too_long", f"`q` is at most {MAX_QUERY_LENGTH} characters.", "q")
    q = q.strip()
    if not q or "\x00" in q:
        raise ValidationFailed(
            "invalid_filter", f"`q` must be 1 to {MAX_QUERY_LENGTH} characters of text.", "q"
        )
    return q


def _matching_text(qs: QuerySet, q: str) -> tuple[QuerySet, bool]:
    """PostgreSQL: full-text search (stemmed English, web-search syntax), ranked, on the GIN
    index. Elsewhere (SQLite): every word must appear in the title, description or city. The
    second value says whether the results carry a `rank` to order by."""
    if connection.vendor == "postgresql":
        vector = text_search_vector()
        query = SearchQuery(q, config=TEXT_SEARCH_CONFIG, search_type="websearch")
        ranked = qs.annotate(text_match=vector).filter(text_match=query)
        return ranked.annotate(rank=SearchRank(vector, query)), True
    for word in q.split():
        qs = qs.filter(
            Q(title__icontains=word) | Q(description__icontains=word) | Q(city__icontains=word)
        )
    return qs, False


def _check_stay_filters(params: ListingSearch) -> None:
    """A stay to search for: both dates (or neither), at least one guest, prices not negative."""
    if params.check_in is not None or params.check_out is not None:
        validate_range(
            params.check_in, params.check_out, start_field="check_in", end_field="check_out"
        )
    if params.guests is not None and params.guests < 1:
        raise ValidationFailed("guests_invalid", "At least one guest is required.", "guests")
    for field in ("min_price", "max_price"):
        value = getattr(params, field)
        if value is not None and value < 0:
            raise ValidationFailed("invalid_filter", "A price filter cannot be negative.", field)
    _check_currency(params)


def _check_currency(params: ListingSearch) -> None:
    """Prices are compared in one currency: 100 EUR is not 100 ZAR. A price filter needs the
    currency it is in (listings in other currencies are not converted: the product stores no
    exchange rates); `currency` alone keeps the listings priced in it."""
    if params.currency is not None and params.currency.upper() not in SUPPORTED_CURRENCIES:
        raise ValidationFailed(
            "invalid_currency",
            f"`currency` must be one of {', '.join(SUPPORTED_CURRENCIES)}.",
            "currency",
        )
    if params.currency is None and (params.min_price is not None or params.max_price is not None):
        raise ValidationFailed(
            "currency_required",
            "Prices are per currency: give `currency` (e.g. EUR) with min_price or max_price.",
            "currency",
        )


def listing_search(params: ListingSearch) -> QuerySet:
    _check_text_filters(params)
    _check_stay_filters(params)
    if params.radius_km is not None and params.near is None:
        raise ValidationFailed("invalid_filter", "`radius_km` needs `near`.", "radius_km")
    if params.mine_for is not None:
        qs = listing_base_queryset().filter(host=params.mine_for)
    else:
        qs = listing_base_queryset().filter(status=Listing.Status.PUBLISHED)
    if params.city:
        qs = qs.filter(city__iexact=params.city.strip())
    if params.country:
        qs = qs.filter(country__iexact=params.country.strip())
    if params.guests:
        qs = qs.filter(max_guests__gte=params.guests)
    if params.currency is not None:
        qs = qs.filter(currency=params.currency.upper())
    if params.min_price is not None:
        qs = qs.filter(nightly_price__gte=params.min_price)
    if params.max_price is not None:
        qs = qs.filter(nightly_price__lte=params.max_price)
    if params.amenities:
        qs = _with_all_amenities(qs, set(params.amenities))
    if params.check_in and params.check_out:
        qs = _bookable_for(_not_in_the_past(qs, params.check_in), params.check_in, params.check_out)
    if params.bbox is not None:
        qs = _in_bbox(qs, params.bbox)
    ranked = False
    if params.q is not None:
        qs, ranked = _matching_text(qs, _check_query(params.q))
    if params.near is not None:
        # Nearest first: a search around a point is ordered by distance.
        return _near(qs, params.near, params.radius_km).order_by("distance_km", "id")
    if ranked:
        return qs.order_by("-rank", "id")  # best match first
    return qs.order_by(*ORDERINGS.get(params.ordering, ORDERINGS["newest"]))


def _with_all_amenities(qs: QuerySet, slugs: set[str]) -> QuerySet:
    """Listings having every one of `slugs`: one subquery, however many slugs (a join per slug
    would grow the query with the input, an easy way to tie up the database). It counts the
    matching amenities of each candidate listing through the (listing, amenity) unique index,
    instead of grouping every listing-amenity row of the slugs for every search."""
    if len(slugs) > MAX_AMENITY_FILTERS:
        raise ValidationFailed(
            "too_many_amenities",
            f"Filter by at most {MAX_AMENITY_FILTERS} amenities.",
            field="amenities",
        )
    matched = (
        Listing.amenities.through.objects.filter(listing=OuterRef("pk"), amenity__slug__in=slugs)
        .order_by()
        .values("listing")
        .annotate(matched=Count("amenity_id"))
        .values("matched")  # type: ignore[misc]  # django-stubs cannot see the annotation
    )
    return qs.alias(amenities_matched=Subquery(matched)).filter(amenities_matched=len(slugs))


def _not_in_the_past(qs: QuerySet, check_in: date) -> QuerySet:
    """Drop listings where `check_in` is already past in the listing's own time zone.

    Local dates are at most one day either side of UTC's, so only a check-in within a day of
    today needs the per-zone look (one small query over the zones in use)."""
    utc_today = timezone.now().date()
    if check_in > utc_today:
        return qs
    if check_in < utc_today - timedelta(days=1):
        return qs.none()
    zones = Listing.objects.order_by().values_list("time_zone", flat=True).distinct()
    return qs.filter(time_zone__in=[tz for tz in zones if today_in(tz) <= check_in])


def _bookable_for(qs: QuerySet, check_in: date, check_out: date) -> QuerySet:
    """Only listings free for every night of the stay, whose night limits allow it."""
    nights = (check_out - check_in).days
    taken = Occupancy.objects.filter(
        listing=OuterRef("pk"), is_active=True, start__lt=check_out, end__gt=check_in
    )
    closed = CalendarDay.objects.filter(
        listing=OuterRef("pk"), is_blocked=True, date__gte=check_in, date__lt=check_out
    )
    return (
        qs.filter(min_nights__lte=nights, max_nights__gte=nights)
        .exclude(Exists(taken))
        .exclude(Exists(closed))
    )


# --- Cached reads (listings.cache says what invalidates them) ---------------------------------


def listing_published_cached(listing_id: UUID | str) -> Listing | None:
    """A published listing with what its page shows, from the cache when it can be."""
    return cached_read(
        f"listing:{listing_id}:detail",
        lambda: (
            listing_base_queryset().filter(status=Listing.Status.PUBLISHED, pk=listing_id).first()
        ),
        cache_seconds("listing"),
        tokens=[listing_token_name(listing_id)],
    )


def listing_published_rendered(
    listing_id: UUID | str,
    variant: str,
    render: Callable[[Listing], Any],
    found: Mapping[str, Any] | None = None,
) -> Any | None:
    """A published listing as an interface shows it (`render(listing)`, e.g. a serialized
    body), from the cache when it can be; None when no published listing has that id.

    A cache hit is one value (no model instance to unpickle, nothing to serialize). It shares
    `listing_published_cached`'s token, so every write that invalidates one invalidates the
    other. `variant` names whatever else the rendering depends on (e.g. the site's address).
    `found`: the cache's answer for `listing_published_rendered_keys(...)`, read ahead."""

    def build() -> Any | None:
        listing = listing_published_with_relations(listing_id)
        return None if listing is None else render(listing)

    return cached_read(
        _rendered_key(listing_id, variant),
        build,
        cache_seconds("listing"),
        tokens=[listing_token_name(listing_id)],
        found=found,
    )


def listing_published_rendered_keys(listing_id: UUID | str, variant: str) -> list[str]:
    """The cache keys `listing_published_rendered` reads first, for a caller that can fetch
    them with a round trip it makes anyway (the request throttles)."""
    return read_keys(_rendered_key(listing_id, variant), [listing_token_name(listing_id)])


def _rendered_key(listing_id: UUID | str, variant: str) -> str:
    return f"listing:{listing_id}:rendered:{digest(variant)}"


def listing_published_with_relations(listing_id: UUID | str) -> Listing | None:
    """A published listing with its host (id and first name), amenities and photos set as
    `listing_base_queryset` prefetches them: one query on PostgreSQL (see
    `_listing_row_with_relations`), three elsewhere (SQLite keeps the generic path)."""
    alias = router.db_for_read(Listing)
    if connections[alias].vendor != "postgresql":
        return (
            listing_base_queryset().filter(status=Listing.Status.PUBLISHED, pk=listing_id).first()
        )
    row = _published_row(alias, listing_id)
    return None if row is None else _listing_from_row(alias, row)


def _published_row(alias: str, listing_id: UUID | str) -> tuple | None:
    """`_listing_row_with_relations` for one published listing, from its SQL compiled once:
    building and compiling the queryset (three subqueries) cost more than the query itself."""
    connection = connections[alias]
    statement = _PUBLISHED_ROW_STATEMENTS.get(connection)
    if statement is None:
        statement = _PUBLISHED_ROW_STATEMENTS[connection] = _published_row_statement(alias)
    compiler, sql, params, at = statement
    params = [*params]
    params[at] = Listing._meta.pk.get_db_prep_value(listing_id, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    # The converters values_list applies (JSON, arrays), in the compiler's column order.
    return next(iter(compiler.results_iter(results=[[row]], tuple_expected=True)))


# Per connection (a compiler holds the connection it compiled for; connections are per thread),
# forgotten with it.
_PUBLISHED_ROW_STATEMENTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _published_row_statement(alias: str) -> tuple[Any, str, tuple, int]:
    """The compiler, SQL and parameters of the query, and where the listing's id goes in them
    (a placeholder id is compiled in, then replaced on each read)."""
    placeholder = uuid.uuid4()
    published = Listing.objects.using(alias).filter(status=Listing.Status.PUBLISHED, pk=placeholder)
    compiler = _listing_row_with_relations(published).query.get_compiler(using=alias)
    sql, params = compiler.as_sql()
    prepared = Listing._meta.pk.get_db_prep_value(placeholder, connections[alias])
    return compiler, sql, tuple(params), list(params).index(prepared)


def _listing_row_with_relations(published: QuerySet) -> QuerySet:
    """The listing's columns, its host's first name, and its amenities and photos (in display
    order) as JSON arrays, in one round trip: a detail miss paid three (row + host, amenities,
    photos), each a context switch to the database on a busy machine."""
    return (
        published.order_by()
        .annotate(
            host_first_name=Subquery(
                User.objects.filter(pk=OuterRef("host_id")).order_by().values("first_name")
            ),
            amenity_rows=ArraySubquery(
                Amenity.objects.filter(listings=OuterRef("pk"))
                .order_by("slug")
                .values(row=JSONArray(*_attnames(Amenity)))
            ),
            photo_rows=ArraySubquery(
                ListingPhoto.objects.filter(listing=OuterRef("pk"))
                .order_by("position", "created_at")
                .values(row=JSONArray(*_PHOTO_FIELDS))
            ),
        )
        .values_list(*_attnames(Listing), "host_first_name", "amenity_rows", "photo_rows")
    )


def _listing_from_row(db: str, row: tuple) -> Listing:
    """The instances `listing_base_queryset` would give, from `_listing_row_with_relations`."""
    width = len(_attnames(Listing))
    first_name, amenity_rows, photo_rows = row[width:]
    listing = Listing.from_db(db, _attnames(Listing), row[:width])
    user_model = Listing.host.field.related_model
    host = user_model.from_db(db, _HOST_FIELDS, (listing.host_id, first_name))
    Listing.host.field.set_cached_value(listing, host)
    amenity_fields = _attnames(Amenity)
    amenities = [
        Amenity.from_db(db, amenity_fields, _json_values(_amenity_model_fields(), values))
        for values in amenity_rows
    ]
    _set_prefetched(listing, "amenities", amenities)
    photo_fields = _attnames(ListingPhoto)
    at = photo_fields.index("listing_id")  # from_db takes every field in the model's order
    photos = []
    for values in photo_rows:
        columns = _photo_values(values)
        photos.append(
            ListingPhoto.from_db(db, photo_fields, (*columns[:at], listing.pk, *columns[at:]))
        )
    _set_prefetched(listing, "photos", photos)
    return listing


def _json_values(fields: list[models.Field], json_row: list) -> tuple:
    """Columns from their JSON (strings for UUIDs and times), each parsed by its field."""
    return tuple(field.to_python(value) for field, value in zip(fields, json_row, strict=True))


@functools.cache
def _amenity_model_fields() -> list[models.Field]:
    return list(Amenity._meta.concrete_fields)


def listing_visible_cached(user: User, listing_id: UUID | str) -> Listing | None:
    """`listing_visible_to(user)` for one listing, published ones from the cache: for reads
    only (a write must load and lock the row itself)."""
    listing = listing_published_cached(listing_id)
    if listing is not None:
        return listing
    if user is None or not user.is_authenticated:
        return None
    return listing_visible_to(user).filter(pk=listing_id).first()  # the caller's own draft


SEARCH_WINDOW = 60  # the first results of a search (three pages of 20) are cached


class CachedSearch:
    """A search's results as a sequence a paginator can use.

    The cache holds the number of results and the first SEARCH_WINDOW listings as plain
    values (`_cards`), all read by one query (a window COUNT over the same filter, so the
    costly part of a search, the availability checks, runs once) plus their amenities and
    photos. A cached page is rebuilt from those values without a query; model instances are
    not pickled (unpickling 60 listings with their relations cost more than the search).
    Anything past the window reads the database."""

    ordered = True

    def __init__(self, params: ListingSearch):
        self.params = params
        fields = {name: getattr(params, name) for name in params.__dataclass_fields__}
        self.token = search_token()  # the generation the results are read under
        self.key = f"search:{self.token}:{digest(fields)}"
        self._head = None

    @cached_property
    def queryset(self) -> QuerySet:
        # Built only when the cache cannot answer (building it costs more than a cache hit);
        # the parameters' refusals (ValidationFailed) are raised from here, before any result.
        return listing_search(self.params)

    def head(self) -> tuple[int, list[tuple], list[bytes]]:
        """(count, amenities, the first SEARCH_WINDOW results): see `_cards`."""
        if self._head is None:
            self._head = cached_read(f"{self.key}:head", self._build_head, cache_seconds("search"))
        assert self._head is not None
        return self._head

    def _build_head(self) -> tuple[int, list[tuple], list[bytes]]:
        window = self.queryset.prefetch_related(None).annotate(total=Window(Count("*")))
        if connections[window.db].vendor == "postgresql":
            return _head_in_one_query(window)
        listings = list(window[:SEARCH_WINDOW])
        if not listings:
            return 0, [], []
        return listings[0].total, *_cards(listings)

    def count(self) -> int:
        return self.head()[0]

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item: int | slice) -> Any:
        if isinstance(item, slice) and item.step is None and (item.stop or 0) <= SEARCH_WINDOW:
            _count, amenities, cards = self.head()
            return _listings_from_cards(amenities, cards[item])
        return self.queryset[item]


_HOST_FIELDS = ("id", "first_name")  # all a listing's page shows of its host


def _attnames(model: type[models.Model]) -> tuple[str, ...]:
    return tuple(field.attname for field in model._meta.concrete_fields)


def _cards(listings: list[Listing]) -> tuple[list[tuple], list[bytes]]:
    """Listings (host joined) as plain values with their photos and amenities (two queries):
    the amenities once, and each listing pickled on its own, so a page unpickles only its
    own listings (UUIDs are slow to unpickle; a window holds hundreds)."""
    prefetch_related_objects(listings, listing_prefetches()[1])  # photos
    amenity_rows = (
        Listing.amenities.through.objects.filter(listing_id__in=[x.pk for x in listings])
        .order_by("amenity__slug")
        .values_list("listing_id", *(f"amenity__{name}" for name in _attnames(Amenity)))
    )
    table: list[tuple] = []
    index: dict = {}
    of_listing: dict = {}
    for listing_id, *values in amenity_rows:
        if values[0] not in index:
            index[values[0]] = len(table)
            table.append(tuple(values))
        of_listing.setdefault(listing_id, []).append(index[values[0]])
    listing_fields = _attnames(Listing)
    photo_fields = [name for name in _attnames(ListingPhoto) if name != "listing_id"]  # implied
    cards = [
        pickle.dumps(
            (
                tuple(getattr(listing, name) for name in listing_fields),
                listing.host.first_name,
                [tuple(_raw(p, name) for name in photo_fields) for p in listing.photos.all()],
                of_listing.get(listing.pk, []),
                getattr(listing, "distance_km", None),
            ),
            pickle.HIGHEST_PROTOCOL,
        )
        for listing in listings
    ]
    return table, cards


def _head_in_one_query(window: QuerySet) -> tuple[int, list[tuple], list[bytes]]:
    """What `_cards` gives, from one query on PostgreSQL (plus one for the amenities' own
    rows): see `_window_with_relations`."""
    width = len(_attnames(Listing))
    rows = list(_window_with_relations(window))
    if not rows:
        return 0, [], []
    table, index = _amenity_table({pk for row in rows for pk in row[width + 2]})
    cards = [
        pickle.dumps(
            (
                row[:width],
                row[width + 1],  # the host's first name
                [_photo_values(photo) for photo in row[width + 3]],
                [index[pk] for pk in row[width + 2] if pk in index],  # (if since deleted)
                row[width + 4] if len(row) > width + 4 else None,  # distance_km
            ),
            pickle.HIGHEST_PROTOCOL,
        )
        for row in rows
    ]
    return rows[0][width], table, cards


def _window_with_relations(window: QuerySet) -> QuerySet:
    """The first SEARCH_WINDOW rows of `window` as values: the listing's columns, the count,
    its host's first name, its amenity ids (by slug) and its photos (in display order, as
    JSON arrays). PostgreSQL runs the three subqueries for the rows kept only, after the
    count, the sort and the LIMIT; joining the host (select_related) joined every listing of
    the city before the count, and the photos and amenities were two more round trips."""
    extras = ["total", "host_first_name", "amenity_ids", "photo_rows"]
    if "distance_km" in window.query.annotations:
        extras.append("distance_km")
    return (
        window.select_related(None)
        .annotate(
            host_first_name=Subquery(  # one row: by primary key, no ORDER BY, no LIMIT
                User.objects.filter(pk=OuterRef("host_id")).order_by().values("first_name")
            ),
            amenity_ids=ArraySubquery(
                Listing.amenities.through.objects.filter(listing=OuterRef("pk"))
                .order_by("amenity__slug")
                .values("amenity_id")
            ),
            photo_rows=ArraySubquery(
                ListingPhoto.objects.filter(listing=OuterRef("pk"))
                .order_by("position", "created_at")
                .values(row=JSONArray(*_PHOTO_FIELDS))
            ),
        )
        .values_list(*_attnames(Listing), *extras)[:SEARCH_WINDOW]
    )


# A photo's columns but its listing's (implied), in the model's order, as `_cards` stores them.
_PHOTO_FIELDS = tuple(name for name in _attnames(ListingPhoto) if name != "listing_id")


def _photo_values(json_row: list) -> tuple:
    """A photo's columns from their JSON (strings for UUIDs and times) as the database driver
    gives them: each field parses its own."""
    return tuple(
        field.to_python(value) for field, value in zip(_photo_model_fields(), json_row, strict=True)
    )


@functools.cache
def _photo_model_fields() -> list[models.Field]:
    by_attname = {field.attname: field for field in ListingPhoto._meta.concrete_fields}
    return [by_attname[name] for name in _PHOTO_FIELDS]


def _amenity_table(amenity_ids: set) -> tuple[list[tuple], dict]:
    """The amenities' columns (one tuple each) and where each amenity id is in that list."""
    table = list(Amenity.objects.filter(pk__in=amenity_ids).values_list(*_attnames(Amenity)))
    return table, {values[0]: i for i, values in enumerate(table)}


def _raw(obj: models.Model, attname: str) -> Any:
    """A column's value as loaded: a file field's name, not its FieldFile (which would pickle
    the photo with it, and the listing the photo is cached with)."""
    value = getattr(obj, attname)
    return value.name if isinstance(value, FieldFile) else value


def _listings_from_cards(table: list[tuple], cards: list[bytes]) -> list[Listing]:
    """Listings with their host, photos and amenities (as prefetched) from `_cards` values.
    The hosts are partial users (id and first name: what the APIs show of a host)."""
    db = router.db_for_read(Listing)
    listing_fields, photo_fields = _attnames(Listing), _attnames(ListingPhoto)
    at = photo_fields.index("listing_id")  # from_db takes every field in the model's order
    amenity_fields = _attnames(Amenity)
    user_model = Listing.host.field.related_model
    amenities: dict[int, Amenity] = {}  # one instance per amenity for the whole page
    page = []
    for card in cards:
        values, first_name, photos, amenity_indexes, distance = pickle.loads(card)  # noqa: S301
        listing = Listing.from_db(db, listing_fields, values)
        host = user_model.from_db(db, _HOST_FIELDS, (listing.host_id, first_name))
        Listing.host.field.set_cached_value(listing, host)
        for i in amenity_indexes:
            if i not in amenities:
                amenities[i] = Amenity.from_db(db, amenity_fields, table[i])
        _set_prefetched(listing, "amenities", [amenities[i] for i in amenity_indexes])
        _set_prefetched(
            listing,
            "photos",
            [
                ListingPhoto.from_db(db, photo_fields, (*row[:at], listing.pk, *row[at:]))
                for row in photos
            ],
        )
        if distance is not None:
            listing.distance_km = distance  # type: ignore[attr-defined]  # an annotation
        page.append(listing)
    return page


def prefetched(listing: Listing, name: str) -> Any:
    """`listing.<name>.all()` without building the related manager when the relation is
    prefetched (as on every search page): a manager costs more than reading its cache, and a
    page of 20 would build 40 of them."""
    cache = getattr(listing, "_prefetched_objects_cache", None)
    if cache is not None and name in cache:
        return cache[name]
    return getattr(listing, name).all()


def _set_prefetched(listing: Listing, name: str, objects: list) -> None:
    """What prefetch_related stores: `listing.<name>.all()` then reads `objects`."""
    related = getattr(listing, name).all()
    related._result_cache = objects
    related._prefetch_done = True
    listing.__dict__.setdefault("_prefetched_objects_cache", {})[name] = related


def listing_search_cached(params: ListingSearch) -> QuerySet | CachedSearch:
    """`listing_search`, cached for public searches (a host's own listings are not)."""
    if params.mine_for is not None:
        return listing_search(params)
    return CachedSearch(params)
