import graphene
from django.db.models import prefetch_related_objects

from bookings.selectors import booking_list_for_guest, booking_list_for_host, booking_visible_to
from bookings.services import booking_refund_preview
from common.errors import NotFound
from listings.selectors import listing_prefetches

from ..context import require_user
from ..errors import refusals_as_errors
from ..loaders import batch_bookings, batch_listings
from ..pagination import paginate
from .types import Booking, BookingConnection, RefundPreview

BookingRole = graphene.Enum(
    "BookingRole",
    [("guest", "guest"), ("host", "host")],
    description="Whose bookings: your stays (guest) or your listings' stays (host).",
)


class BookingQueries(graphene.ObjectType):
    my_bookings = graphene.Field(
        BookingConnection,
        role=BookingRole(description="guest (default): your stays; host: your listings' stays."),
        first=graphene.Int(),
        after=graphene.String(),
    )
    booking = graphene.Field(Booking, id=graphene.UUID(required=True))
    refund_preview = graphene.Field(
        RefundPreview,
        booking_id=graphene.UUID(required=True),
        description="What cancelling the booking now would refund (nothing is changed).",
    )

    @refusals_as_errors
    def resolve_my_bookings(root, info, role=None, first=None, after=None):
        user = require_user(info)
        as_host = getattr(role, "value", role) == "host"
        bookings = booking_list_for_host(user) if as_host else booking_list_for_guest(user)
        connection, page = paginate(BookingConnection, bookings, first=first, after=after)
        # The listings came joined; give them what a listings page has, in two queries.
        listings = [booking.listing for booking in page]
        prefetch_related_objects(listings, *listing_prefetches())
        batch_listings(listings)
        batch_bookings(page)
        return connection

    @refusals_as_errors
    def resolve_booking(root, info, id):
        return visible_booking(require_user(info), id)

    @refusals_as_errors
    def resolve_refund_preview(root, info, booking_id):
        user = require_user(info)
        return booking_refund_preview(booking=visible_booking(user, booking_id), actor=user)


def visible_booking(user, booking_id):
    """Guests see their stays, hosts their listings' bookings; anyone else gets not_found."""
    booking = booking_visible_to(user).filter(pk=booking_id).first()
    if booking is None:
        raise NotFound()
    return booking
