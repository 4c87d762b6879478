"""What the booking emails say: a snapshot of the booking's essentials, taken in the
transaction of the change, written to the outbox (notifications.services)."""

from __future__ import annotations

from django.conf import settings
from django.utils.formats import date_format

from notifications.services import notification_create

from .models import Booking


def _day(value) -> str:
    return date_format(value, "D j M Y")


def booking_email_context(booking: Booking) -> dict:
    listing = booking.listing
    guest, host = booking.guest, listing.host
    return {
        "reference": str(booking.pk).split("-")[0].upper(),
        "listing_title": listing.title,
        "listing_city": listing.city,
        "check_in": _day(booking.check_in),
        "check_out": _day(booking.check_out),
        "nights": booking.nights,
        "guests": booking.guests,
        "currency": booking.currency,
        "nightly_subtotal": str(booking.nightly_subtotal),
        "discount": str(booking.discount),
        "cleaning_fee": str(booking.cleaning_fee),
        "service_fee": str(booking.service_fee),
        "taxes": str(booking.taxes),
        "total": str(booking.total),
        "amount_paid": str(booking.amount_paid),
        "refund_amount": str(booking.refund_amount or "0.00"),
        "host_payout": str(booking.total - booking.service_fee - booking.taxes - booking.host_fee),
        "cancellation_reason": booking.cancellation_reason,
        "cancelled_by_guest": booking.cancelled_by_id == guest.pk,
        "guest_name": guest.first_name or "Guest",
        "host_name": host.first_name or "Your host",
        "guest_url": f"{settings.SITE_URL}/api/v1/bookings/{booking.pk}/",
        "host_url": f"{settings.SITE_URL}/admin/bookings/booking/{booking.pk}/change/",
    }


def booking_notify(
    booking: Booking,
    event: str,
    *,
    guest: bool = False,
    host: bool = False,
    extra: dict | None = None,
    ref: str = "",
) -> None:
    """Write `event` for the booking's guest and/or host (call inside the change's
    transaction)."""
    context = {**booking_email_context(booking), **(extra or {})}
    recipients = ([booking.guest] if guest else []) + ([booking.listing.host] if host else [])
    for recipient in recipients:
        is_host = recipient.pk == booking.listing.host_id
        notification_create(
            event=event,
            ref=ref or f"booking:{booking.pk}",
            recipient=recipient,
            context={
                **context,
                "recipient_name": context["host_name" if is_host else "guest_name"],
                "for_host": is_host,
                "link": context["host_url" if is_host else "guest_url"],
            },
        )
