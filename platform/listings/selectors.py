"""Listing reads shared by REST, GraphQL and the back-office, already optimised."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from calendars.models import CalendarDay, Occupancy
from common.cache import cached_read, digest
from common.dates import today_in
from common.errors import ValidationFailed

from .cache import cache_seconds, listing_token, search_token
from .models import Amenity, Listing, ListingPhoto

MAX_AMENITY_FILTERS = 20

ORDERINGS = {
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


def listing_visible_to(user) -> QuerySet:
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


def listing_search(params: ListingSearch) -> QuerySet:
    _check_text_filters(params)
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
    if params.min_price is not None:
        qs = qs.filter(nightly_price__gte=params.min_price)
    if params.max_price is not None:
        qs = qs.filter(nightly_price__lte=params.max_price)
    if params.amenities:
        qs = _with_all_amenities(qs, set(params.amenities))
    if params.check_in and params.check_out:
        qs = _bookable_for(_not_in_the_past(qs, params.check_in), params.check_in, params.check_out)
    return qs.order_by(*ORDERINGS.get(params.ordering, ORDERINGS["newest"]))


def _with_all_amenities(qs: QuerySet, slugs: set[str]) -> QuerySet:
    """Listings having every one of `slugs`: one grouped subquery, however many slugs (a join
    per slug would grow the query with the input, an easy way to tie up the database)."""
    if len(slugs) > MAX_AMENITY_FILTERS:
        raise ValidationFailed(
            "too_many_amenities",
            f"Filter by at most {MAX_AMENITY_FILTERS} amenities.",
            field="amenities",
        )
    having_all = (
        Listing.amenities.through.objects.filter(amenity__slug__in=slugs)
        .values("listing_id")
        .annotate(matched=Count("amenity_id"))
        .filter(matched=len(slugs))
        .values("listing_id")
    )
    return qs.filter(pk__in=having_all)


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


def listing_published_cached(listing_id) -> Listing | None:
    """A published listing with what its page shows, from the cache when it can be."""
    key = f"listing:{listing_id}:{listing_token(listing_id)}:detail"
    return cached_read(
        key,
        lambda: listing_base_queryset().filter(status=Listing.Status.PUBLISHED, pk=listing_id)
        .first(),
        cache_seconds("listing"),
    )  # fmt: skip


def listing_visible_cached(user, listing_id) -> Listing | None:
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
    """A search's results as a sequence a paginator can use: the count and the first
    SEARCH_WINDOW listings come from the cache; anything further reads the database."""

    ordered = True

    def __init__(self, params: ListingSearch):

        self.queryset = listing_search(params)
        fields = {name: getattr(params, name) for name in params.__dataclass_fields__}
        self.key = f"search:{search_token()}:{digest(fields)}"

    def count(self) -> int:
        return cached_read(f"{self.key}:count", self.queryset.count, cache_seconds("search"))

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item):
        if isinstance(item, slice) and item.step is None and (item.stop or 0) <= SEARCH_WINDOW:
            head = cached_read(
                f"{self.key}:head",
                lambda: list(self.queryset[:SEARCH_WINDOW]),
                cache_seconds("search"),
            )
            return head[item]
        return self.queryset[item]


def listing_search_cached(params: ListingSearch):
    """`listing_search`, cached for public searches (a host's own listings are not)."""
    if params.mine_for is not None:
        return listing_search(params)
    return CachedSearch(params)
