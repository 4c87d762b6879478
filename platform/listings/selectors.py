"""Listing reads shared by REST, GraphQL and the back-office, already optimised."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from calendars.models import CalendarDay, Occupancy
from common.dates import today_in
from common.errors import ValidationFailed

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


def listing_search(params: ListingSearch) -> QuerySet:
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
