import graphene

from bookings.services import booking_accept, booking_decline
from common.errors import ValidationFailed
from listings.selectors import listing_visible_to
from payments.services import booking_cancel_with_refund
from public_api.common.bookings import booking_create_idempotent

from ..context import require_user
from ..mutations import DomainMutation
from ..scalars import Money
from .queries import visible_booking
from .types import Booking


class CreateBookingInput(graphene.InputObjectType):
    listing_id = graphene.UUID(required=True)
    check_in = graphene.Date(required=True)
    check_out = graphene.Date(required=True)
    guests = graphene.Int(required=True)
    idempotency_key = graphene.String(
        description="Retrying with the same key returns the first booking instead of a new one."
    )


class CreateBooking(DomainMutation):
    """Book a stay. Instant-book listings wait for payment; others for the host's answer."""

    class Arguments:
        input = CreateBookingInput(required=True)

    booking = graphene.Field(Booking)
    replayed = graphene.Boolean(
        description="True when an earlier request with this key is replayed."
    )

    field_renames = {"listing": "listingId", "idempotency_key": "idempotencyKey"}

    @classmethod
    def perform(cls, info, *, listing_id, check_in, check_out, guests, idempotency_key=None):
        user = require_user(info)
        listing = listing_visible_to(user).filter(pk=listing_id).first()
        if listing is None:
            raise ValidationFailed("listing_not_found", "No such listing.", field="listing")
        # Shared with REST's POST bookings/: the same user and key replay the same booking
        # through either API (the stored body is REST's; only its id is read here).
        _status, body, replayed = booking_create_idempotent(
            guest=user,
            listing=listing,
            check_in=check_in,
            check_out=check_out,
            guests=guests,
            key=idempotency_key,
        )
        return {"booking": visible_booking(user, body["id"]), "replayed": replayed}


class BookingIdInput(graphene.InputObjectType):
    booking_id = graphene.UUID(required=True)


class BookingAnswerInput(graphene.InputObjectType):
    booking_id = graphene.UUID(required=True)
    reason = graphene.String(description="At most 500 characters.")


class AcceptBooking(DomainMutation):
    """The listing's host accepts a requested booking (it then waits for payment)."""

    class Arguments:
        input = BookingIdInput(required=True)

    booking = graphene.Field(Booking)
    field_renames = {"booking": "bookingId"}

    @classmethod
    def perform(cls, info, *, booking_id):
        user = require_user(info)
        return {"booking": booking_accept(booking=visible_booking(user, booking_id), actor=user)}


class DeclineBooking(DomainMutation):
    """The listing's host declines a requested booking (its nights are released)."""

    class Arguments:
        input = BookingAnswerInput(required=True)

    booking = graphene.Field(Booking)
    field_renames = {"booking": "bookingId"}

    @classmethod
    def perform(cls, info, *, booking_id, reason=None):
        user = require_user(info)
        booking = booking_decline(
            booking=visible_booking(user, booking_id), actor=user, reason=reason or ""
        )
        return {"booking": booking}


class CancelBooking(DomainMutation):
    """Cancel as the guest (refund by the policy) or as the host (full refund)."""

    class Arguments:
        input = BookingAnswerInput(required=True)

    booking = graphene.Field(Booking)
    refund_amount = Money()
    field_renames = {"booking": "bookingId"}

    @classmethod
    def perform(cls, info, *, booking_id, reason=None):
        user = require_user(info)
        booking = booking_cancel_with_refund(
            booking=visible_booking(user, booking_id), actor=user, reason=reason or ""
        )
        return {"booking": booking, "refund_amount": booking.refund_amount}


class BookingMutations(graphene.ObjectType):
    create_booking = CreateBooking.Field()
    cancel_booking = CancelBooking.Field()
    accept_booking = AcceptBooking.Field()
    decline_booking = DeclineBooking.Field()
