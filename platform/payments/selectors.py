"""Payment reads shared by the APIs: who may see which payments, already optimised."""

from collections.abc import Iterable
from uuid import UUID

from django.db.models import Prefetch, Q, QuerySet

from accounts.models import User
from bookings.models import Booking

from .models import Payment, Refund


def payment_visible_to(user: User) -> QuerySet:
    """A guest's own payments and the payments of a host's listings' bookings."""
    if user is None or not user.is_authenticated:
        return Payment.objects.none()
    return (
        Payment.objects.filter(Q(booking__guest=user) | Q(booking__listing__host=user))
        .select_related("booking__listing")
        .prefetch_related(Prefetch("refunds", queryset=Refund.objects.order_by("created_at")))
        .order_by("-created_at", "id")
    )


def refunds_by_booking(booking_ids: Iterable[UUID]) -> dict:
    """{booking id: [its refunds, oldest first]} for many bookings in one query."""
    grouped: dict = {}
    refunds = Refund.objects.filter(payment__booking_id__in=list(booking_ids)).select_related(
        "payment"
    )
    for refund in refunds.order_by("created_at", "id"):
        grouped.setdefault(refund.payment.booking_id, []).append(refund)
    return grouped


def refunds_of_booking(booking: Booking) -> list[Refund]:
    """One booking's refunds, oldest first; reads `payments__refunds` when prefetched."""
    refunds = [refund for payment in booking.payments.all() for refund in payment.refunds.all()]
    return sorted(refunds, key=lambda refund: (refund.created_at, str(refund.pk)))


BOOKING_REFUNDS = "payments__refunds"  # prefetch this for a list of bookings
