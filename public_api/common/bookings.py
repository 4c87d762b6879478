"""Booking with an idempotency key, shared by REST's `POST bookings/` and GraphQL's
`createBooking` so that a key first used through one API replays through the other.

Both interfaces therefore agree on three things, defined here once:
- the scope the keys live in (`booking_create`);
- the fingerprint payload (the validated stay: listing id, dates, guests);
- the stored body: `booking_public_dict`, the booking exactly as REST's `BookingOut` renders it
  (REST replays it verbatim; GraphQL reads only its `id` and re-reads the booking).
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from bookings.services import booking_create
from common.idempotency import run_idempotent
from common.money import money
from payments.selectors import refunds_of_booking

IDEMPOTENCY_SCOPE = "booking_create"
CREATED = 201

MONEY_FIELDS = (
    "nightly_subtotal",
    "discount",
    "cleaning_fee",
    "service_fee",
    "taxes",
    "total",
)


def booking_public_dict(booking) -> dict:
    """The booking as its guest or host sees it, as JSON-ready values (no contact details)."""
    return {
        "id": str(booking.pk),
        "listing": str(booking.listing_id),
        "listing_title": booking.listing.title,
        "check_in": booking.check_in.isoformat(),
        "check_out": booking.check_out.isoformat(),
        "guests": booking.guests,
        "status": str(booking.status),
        "nights": booking.nights,
        **{name: _amount(getattr(booking, name)) for name in MONEY_FIELDS},
        "currency": booking.currency,
        "cancellation_policy": str(booking.cancellation_policy),
        "created_at": _timestamp(booking.created_at),
        "refund_amount": _amount(booking.refund_amount),
        "refunds": [refund_public_dict(refund) for refund in refunds_of_booking(booking)],
    }


def refund_public_dict(refund) -> dict:
    return {
        "id": str(refund.pk),
        "amount": _amount(refund.amount),
        "status": str(refund.status),
        "kind": str(refund.kind),
        "reason": refund.reason,
        "created_at": _timestamp(refund.created_at),
    }


def _amount(value) -> str | None:
    return None if value is None else str(money(value))


def _timestamp(value: datetime) -> str:
    # DRF's rendering: in the current time zone, ISO 8601, "Z" for UTC.
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def booking_create_idempotent(
    *, guest, listing, check_in, check_out, guests: int, key: str | None
) -> tuple[int, dict, bool]:
    """Book the stay once per (guest, key): (status, body, replayed). Without a key, just book.

    Raises what booking_create raises, and the idempotency refusals (key reused with another
    stay: 422-kind; the first request still running: 409-kind)."""

    def book():
        booking = booking_create(
            guest=guest, listing=listing, check_in=check_in, check_out=check_out, guests=guests
        )
        return CREATED, booking_public_dict(booking)

    # What REST and GraphQL both validate the request to: the same stay is the same request.
    payload = {
        "listing": listing.pk,
        "check_in": check_in,
        "check_out": check_out,
        "guests": guests,
    }
    return run_idempotent(
        user=guest, scope=IDEMPOTENCY_SCOPE, key=key, payload=payload, execute=book
    )
