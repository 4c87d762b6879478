import graphene

from listings.models import Listing as ListingModel
from listings.services import listing_create, listing_delete, listing_update

from ..context import require_user
from ..mutations import DomainMutation
from ..scalars import Decimal, Money
from .queries import visible_listing
from .types import CancellationPolicy, Listing, PropertyType

# What a host may set; suspension is a staff action in the back-office.
HostListingStatus = graphene.Enum(
    "HostListingStatus",
    [("draft", "draft"), ("published", "published")],
    description="What a host may set: draft (hidden) or published.",
)


def _listing_fields(required: bool) -> dict:
    """The editable listing fields; title, city, country and price are required to create."""

    def must(field_type, **kwargs):
        return field_type(required=required, **kwargs)

    return {
        "title": must(graphene.String),
        "description": graphene.String(),
        "property_type": PropertyType(),
        "address": graphene.String(),
        "city": must(graphene.String),
        "country": must(graphene.String, description="ISO 3166-1 alpha-2 code, e.g. PT."),
        "latitude": Decimal(),
        "longitude": Decimal(),
        "time_zone": graphene.String(description="IANA name, e.g. Europe/Lisbon."),
        "max_guests": graphene.Int(),
        "bedrooms": graphene.Int(),
        "beds": graphene.Int(),
        "bathrooms": Decimal(),
        "nightly_price": must(Money),
        "weekend_price": Money(),
        "cleaning_fee": Money(),
        "currency": graphene.String(),
        "min_nights": graphene.Int(),
        "max_nights": graphene.Int(),
        "weekly_discount": Decimal(),
        "monthly_discount": Decimal(),
        "tax_rate": Decimal(),
        "cancellation_policy": CancellationPolicy(),
        "instant_book": graphene.Boolean(),
        "external_id": graphene.String(description="Your own reference for the listing."),
        "amenities": graphene.List(graphene.NonNull(graphene.String), description="Slugs."),
        "status": HostListingStatus(),
    }


CreateListingInput = type(
    "CreateListingInput", (graphene.InputObjectType,), _listing_fields(required=True)
)
UpdateListingInput = type(
    "UpdateListingInput",
    (graphene.InputObjectType,),
    {"id": graphene.UUID(required=True), **_listing_fields(required=False)},
)


def _plain(values: dict) -> dict:
    """Enum members to the core's string values."""
    return {name: getattr(value, "value", value) for name, value in values.items()}


class CreateListing(DomainMutation):
    """List a home (the caller becomes a host). Drafts are invisible to others."""

    class Arguments:
        input = CreateListingInput(required=True)

    listing = graphene.Field(Listing)

    @classmethod
    def perform(cls, info, **values):
        host = require_user(info)
        values = _plain(values)
        status = values.pop("status", None) or ListingModel.Status.DRAFT
        listing = listing_create(
            actor=host, amenities=values.pop("amenities", None) or (), status=status, **values
        )
        return {"listing": listing}


class UpdateListing(DomainMutation):
    """Change your listing; `status` publishes or unpublishes it."""

    class Arguments:
        input = UpdateListingInput(required=True)

    listing = graphene.Field(Listing)

    @classmethod
    def perform(cls, info, *, id, **values):
        user = require_user(info)
        listing = visible_listing(user, id)
        values = _plain(values)
        # `status` publishes or unpublishes in the same transaction as the field changes.
        listing = listing_update(
            listing=listing, actor=user, amenities=values.pop("amenities", None), **values
        )
        return {"listing": listing}


class DeleteListingInput(graphene.InputObjectType):
    listing_id = graphene.UUID(required=True)


class DeleteListing(DomainMutation):
    """Delete your listing. One with bookings keeps its history: it is unpublished instead."""

    class Arguments:
        input = DeleteListingInput(required=True)

    deleted = graphene.Boolean(
        description="True when deleted; false when it had bookings and was unpublished instead."
    )
    listing = graphene.Field(Listing, description="The unpublished listing (null if deleted).")
    field_renames = {"listing": "listingId"}

    @classmethod
    def perform(cls, info, *, listing_id):
        user = require_user(info)
        listing = visible_listing(user, listing_id)
        if listing_delete(listing=listing, actor=user):
            return {"deleted": True, "listing": None}
        # Re-read as REST does, so the payload shows the stored (unpublished) state.
        return {"deleted": False, "listing": visible_listing(user, listing_id)}


class ListingMutations(graphene.ObjectType):
    create_listing = CreateListing.Field()
    update_listing = UpdateListing.Field()
    delete_listing = DeleteListing.Field()
