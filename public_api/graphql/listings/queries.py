import graphene

from bookings.services import booking_quote
from common.errors import NotFound, ValidationFailed
from listings.selectors import (
    ListingSearch,
    listing_search_cached,
    listing_visible_cached,
    listing_visible_to,
)

from ..context import current_user, require_user
from ..errors import refusals_as_errors
from ..loaders import batch_listings
from ..pagination import paginate
from ..scalars import Money
from .types import Listing, ListingConnection, ListingOrderBy, Quote, QuoteResult

MAX_TEXT_FILTER = 100


def _text_filter(value, field: str):
    if value is None:
        return None
    if len(value) > MAX_TEXT_FILTER or "\x00" in value:
        raise ValidationFailed("invalid_filter", f"`{field}` is not a valid place name.", field)
    return value


def _amenity_filter(slug: str) -> None:
    if len(slug) > MAX_TEXT_FILTER or "\x00" in slug:
        raise ValidationFailed(
            "invalid_filter",
            f"Each amenity must be a slug of at most {MAX_TEXT_FILTER} characters, e.g. wifi.",
            "amenities",
        )


def search_params(info, args) -> ListingSearch:
    """The core's search parameters from the query's arguments (input checks only; the search
    rules themselves live in listings.selectors)."""
    # How many amenities one search may require is the core's rule (too_many_amenities).
    amenities = tuple(args.get("amenities") or ())
    for slug in amenities:
        _amenity_filter(slug)
    return ListingSearch(
        city=_text_filter(args.get("city"), "city"),
        country=_text_filter(args.get("country"), "country"),
        check_in=args.get("check_in"),
        check_out=args.get("check_out"),
        guests=args.get("guests"),
        min_price=args.get("min_price"),
        max_price=args.get("max_price"),
        amenities=amenities,
        ordering=_enum_value(args.get("order_by")) or "newest",
        mine_for=require_user(info) if args.get("mine") else None,
        bbox=args.get("bbox"),
        near=args.get("near"),
        radius_km=args.get("radius_km"),
        q=args.get("q"),
        currency=args.get("currency"),
    )


def visible_listing(user, listing_id):
    """The listing as `user` (None: anonymous) may see it; others' drafts are not_found."""
    listing = listing_visible_to(user).filter(pk=listing_id).first()
    if listing is None:
        raise NotFound()
    return listing


def readable_listing(user, listing_id):
    """For queries: as `visible_listing`, published listings from the cache."""
    listing = listing_visible_cached(user, listing_id)
    if listing is None:
        raise NotFound()
    return listing


def _enum_value(value):
    return getattr(value, "value", value)


class ListingQueries(graphene.ObjectType):
    listings = graphene.Field(
        ListingConnection,
        city=graphene.String(),
        country=graphene.String(description="ISO 3166-1 alpha-2 code, any case."),
        check_in=graphene.Date(),
        check_out=graphene.Date(description="With checkIn: only listings bookable for the stay."),
        guests=graphene.Int(),
        min_price=Money(),
        max_price=Money(),
        amenities=graphene.List(graphene.NonNull(graphene.String), description="All required."),
        order_by=ListingOrderBy(),
        mine=graphene.Boolean(description="Only the caller's own listings, in any status."),
        bbox=graphene.String(
            description="A map viewport: min_lng,min_lat,max_lng,max_lat in degrees; "
            "min_lng > max_lng crosses the antimeridian."
        ),
        near=graphene.String(
            description="lat,lng in degrees: listings within radiusKm, nearest first "
            "(replaces orderBy)."
        ),
        radius_km=graphene.Float(description="With near: the radius in kilometres."),
        q=graphene.String(
            description="Words to find in the title, description or city, best match first "
            "(replaces orderBy)."
        ),
        currency=graphene.String(
            description="ISO 4217 code (any case): only listings priced in it. Required with "
            "minPrice or maxPrice, which are in this currency (currency_required otherwise)."
        ),
        first=graphene.Int(),
        after=graphene.String(),
        description="Search published listings.",
    )
    listing = graphene.Field(Listing, id=graphene.UUID(required=True))
    quote = graphene.Field(
        Quote,
        listing_id=graphene.UUID(required=True),
        check_in=graphene.Date(required=True),
        check_out=graphene.Date(required=True),
        guests=graphene.Int(required=True),
        description="The price of a stay, or an error saying why it cannot be booked.",
    )

    @refusals_as_errors
    def resolve_listings(root, info, first=None, after=None, **filters):
        params = search_params(info, filters)
        results = listing_search_cached(params)
        connection, page = paginate(ListingConnection, results, first=first, after=after)
        batch_listings(page, search_token=getattr(results, "token", None))
        return connection

    @refusals_as_errors
    def resolve_listing(root, info, id):
        return readable_listing(current_user(info), id)

    @refusals_as_errors
    def resolve_quote(root, info, listing_id, check_in, check_out, guests):
        user = current_user(info)
        listing = readable_listing(user, listing_id)
        quote = booking_quote(
            listing=listing, check_in=check_in, check_out=check_out, guests=guests, guest=user
        )
        return QuoteResult(listing=listing, guests=guests, quote=quote)
