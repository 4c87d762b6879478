from __future__ import annotations

from dataclasses import dataclass

import graphene

from bookings.pricing import Quote as CoreQuote
from listings.models import Listing as ListingModel
from listings.photos import RENDITIONS as PHOTO_RENDITIONS
from listings.selectors import prefetched

from ..accounts.types import Host
from ..context import current_user
from ..loaders import listing_batch
from ..pagination import CountableConnection, build_connection, page_window
from ..reviews.types import ReviewConnection
from ..scalars import Decimal, Money, choice_field


def choices_enum(name: str, choices, description: str) -> type[graphene.Enum]:
    """An enum whose names are the core's values, so the wire value matches REST's."""
    members = [(value, value) for value in choices.values]
    return graphene.Enum(name, members, description=description)


PropertyType = choices_enum("PropertyType", ListingModel.PropertyType, "Kind of place.")
ListingStatus = choices_enum(
    "ListingStatus", ListingModel.Status, "Only published listings are public."
)
CancellationPolicy = choices_enum(
    "CancellationPolicy",
    ListingModel.CancellationPolicy,
    "Refund rules: flexible (full refund up to 1 day before check-in), moderate (full up to 5"
    " days, then half without the service fee up to 1 day), strict (full up to 14 days, then"
    " half without the service fee up to 7 days).",
)
ListingOrderBy = graphene.Enum(
    "ListingOrderBy",
    [
        ("price", "price"),
        ("price_desc", "-price"),
        ("rating", "rating"),
        ("rating_desc", "-rating"),
        ("newest", "newest"),
    ],
    description="Search order (REST's ordering: price, -price, rating, -rating, newest).",
)


class Amenity(graphene.ObjectType):
    slug = graphene.String(required=True)
    name = graphene.String(required=True)
    icon = graphene.String(required=True)


class PhotoRenditions(graphene.ObjectType):
    """Resized copies (null until the rendering task has run, usually within seconds)."""

    thumbnail = graphene.String(description="320 px on the long edge.")
    card = graphene.String(description="720 px on the long edge.")
    large = graphene.String(description="1600 px on the long edge.")


class Photo(graphene.ObjectType):
    id = graphene.UUID(required=True)
    url = graphene.String(required=True)
    caption = graphene.String(required=True)
    position = graphene.Int(required=True, description="0 is the first photo.")
    renditions = graphene.Field(PhotoRenditions, required=True)

    def resolve_url(photo, info):
        return _photo_url(info, photo.image)

    def resolve_renditions(photo, info):
        return {
            name: _absolute_url(info, photo.image.storage.url(stored)) if stored else None
            for name, stored in ((n, photo.renditions.get(n)) for n in PHOTO_RENDITIONS)
        }


def _absolute_url(info, url: str) -> str:
    return info.context.build_absolute_uri(url)


def _photo_url(info, image) -> str:
    """The absolute URL of a photo's file, built once per request: a page showing `photo` and
    `photos { url }` asks for each listing's first photo twice (a storage URL and an absolute
    URI each time were 7% of a listings page)."""
    request = info.context
    urls = request.__dict__.setdefault("_graphql_photo_urls", {})
    url = urls.get(image.name)
    if url is None:  # not built yet (or no file: image.url raises as before)
        url = urls[image.name] = _absolute_url(info, image.url)
    return url


class Listing(graphene.ObjectType):
    """A place to stay. Anyone sees published listings; a host also sees their own drafts."""

    id = graphene.UUID(required=True)
    title = graphene.String(required=True)
    description = graphene.String(required=True)
    city = graphene.String(required=True)
    country = graphene.String(required=True)
    latitude = Decimal()
    longitude = Decimal()
    property_type = choice_field(PropertyType, "property_type", required=True)
    nightly_price = Money(required=True)
    weekend_price = Money()
    cleaning_fee = Money(required=True)
    currency = graphene.String(required=True)
    max_guests = graphene.Int(required=True)
    bedrooms = graphene.Int(required=True)
    beds = graphene.Int(required=True)
    bathrooms = Decimal(required=True)
    min_nights = graphene.Int(required=True)
    max_nights = graphene.Int(required=True)
    weekly_discount = Decimal(required=True, description="Percent off stays of 7+ nights.")
    monthly_discount = Decimal(required=True, description="Percent off stays of 28+ nights.")
    tax_rate = Decimal(required=True, description="Local taxes, percent of the stay.")
    cancellation_policy = choice_field(CancellationPolicy, "cancellation_policy", required=True)
    instant_book = graphene.Boolean(required=True)
    status = choice_field(ListingStatus, "status", required=True)
    rating = Decimal(description="Average of published reviews (null until the first).")
    review_count = graphene.Int(required=True)
    host = graphene.Field(Host, required=True)
    amenities = graphene.List(graphene.NonNull(Amenity), required=True)
    photo = graphene.String(description="URL of the first photo.")
    photos = graphene.List(graphene.NonNull(Photo), required=True)
    saved = graphene.Boolean(
        required=True, description="In one of your wishlists (always false when signed out)."
    )
    distance_km = graphene.Float(
        description="In a search around a point (near): the great-circle distance from it in "
        "kilometres (to the metre); null otherwise."
    )
    reviews = graphene.Field(
        ReviewConnection,
        required=True,
        first=graphene.Int(),
        after=graphene.String(),
        description="Published reviews, newest first.",
    )

    def resolve_distance_km(listing, info):
        distance = getattr(listing, "distance_km", None)  # annotated by a search near a point
        return None if distance is None else round(float(distance), 3)

    def resolve_rating(listing, info):
        return listing.rating_average

    # Prefetched by the selectors: read from the prefetch cache, without building a related
    # manager and its queryset per listing (more than the rest of a listing's plain fields).
    def resolve_amenities(listing, info):
        return prefetched(listing, "amenities")

    def resolve_photos(listing, info):
        return prefetched(listing, "photos")

    def resolve_photo(listing, info):
        photos = list(prefetched(listing, "photos"))
        return _photo_url(info, photos[0].image) if photos else None

    def resolve_saved(listing, info):
        saved = getattr(listing, "is_saved", None)  # annotated by a wishlist's page
        if saved is not None:
            return bool(saved)
        return listing_batch(listing).saved(listing.pk, current_user(info))

    def resolve_reviews(listing, info, first=None, after=None):
        offset, limit = page_window(first, after)
        rows = listing_batch(listing).reviews(listing.pk, offset=offset, limit=limit + 1)
        return build_connection(ReviewConnection, rows, offset=offset, limit=limit)


class ListingConnection(CountableConnection):
    class Meta:
        node = Listing


class NightPrice(graphene.ObjectType):
    date = graphene.Date(required=True)
    price = Money(required=True)


@dataclass(frozen=True)
class QuoteResult:
    """What the Quote type reads: the core's quote plus the stay's listing and guests."""

    listing: ListingModel
    guests: int
    quote: CoreQuote

    @property
    def listing_id(self):
        return self.listing.pk

    def __getattr__(self, name):  # check_in, nights, total, ... come from the core's quote
        if name.startswith("_") or name == "quote":
            raise AttributeError(name)
        return getattr(self.quote, name)


class Quote(graphene.ObjectType):
    """The price of a stay; a booking of the same stay costs exactly this."""

    listing = graphene.Field(Listing, required=True)
    listing_id = graphene.UUID(required=True)
    check_in = graphene.Date(required=True)
    check_out = graphene.Date(required=True)
    guests = graphene.Int(required=True)
    nights = graphene.Int(required=True)
    nightly = graphene.List(graphene.NonNull(NightPrice), required=True)
    nightly_subtotal = Money(required=True)
    discount = Money(required=True)
    cleaning_fee = Money(required=True)
    service_fee = Money(required=True)
    taxes = Money(required=True)
    total = Money(required=True)
    currency = graphene.String(required=True)
