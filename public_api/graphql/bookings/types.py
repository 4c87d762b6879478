import graphene

from bookings.models import BookingStatus as CoreBookingStatus

from ..listings.types import CancellationPolicy, Listing, choices_enum
from ..loaders import booking_refunds
from ..pagination import CountableConnection
from ..payments.types import Refund
from ..scalars import Money, choice_field

BookingStatus = choices_enum(
    "BookingStatus",
    CoreBookingStatus,
    "requested (waits for the host), pending_payment, confirmed, completed; or ended:"
    " cancelled, declined, expired.",
)


class Booking(graphene.ObjectType):
    """A stay. Its guest and the listing's host see it; nobody else learns it exists."""

    id = graphene.UUID(required=True)
    listing_id = graphene.UUID(required=True)
    listing_title = graphene.String(required=True)
    listing = graphene.Field(Listing, required=True)
    check_in = graphene.Date(required=True)
    check_out = graphene.Date(required=True)
    guests = graphene.Int(required=True)
    status = choice_field(BookingStatus, "status", required=True)
    nights = graphene.Int(required=True)
    nightly_subtotal = Money(required=True)
    discount = Money(required=True)
    cleaning_fee = Money(required=True)
    service_fee = Money(required=True)
    taxes = Money(required=True)
    total = Money(required=True)
    currency = graphene.String(required=True)
    cancellation_policy = choice_field(CancellationPolicy, "cancellation_policy", required=True)
    refund_amount = Money(description="Set once the booking is cancelled.")
    refunds = graphene.List(
        graphene.NonNull(Refund), required=True, description="Money given back, oldest first."
    )
    created_at = graphene.DateTime(required=True)

    def resolve_listing_title(booking, info):
        return booking.listing.title

    def resolve_refunds(booking, info):
        return booking_refunds(booking)


class BookingConnection(CountableConnection):
    class Meta:
        node = Booking


class RefundPreview(graphene.ObjectType):
    """What cancelling now would refund you (the policy's rules; a host's cancel refunds all)."""

    refund_amount = Money(required=True)
    currency = graphene.String(required=True)
    policy = choice_field(CancellationPolicy, "policy", required=True)
