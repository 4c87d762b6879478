"""Paying with an idempotency key, shared by REST's `POST bookings/{id}/pay/` and GraphQL's
`payBooking`, so a key first used through one API replays through the other (scope
`booking_pay`; fingerprint: booking id + payment method; stored body: `payment_public_dict`).

The HTTP status says how it ended: 201 succeeded (the booking is confirmed), 202 still
processing, 402 refused by the provider (body has `code` and `detail`).
"""

from __future__ import annotations

from common.idempotency import run_idempotent
from payments.models import Payment
from payments.services import booking_pay
from public_api.common.bookings import _amount, _timestamp, refund_public_dict

IDEMPOTENCY_SCOPE = "booking_pay"
STATUS_BY_OUTCOME = {
    Payment.Status.SUCCEEDED: 201,
    Payment.Status.PROCESSING: 202,
    Payment.Status.FAILED: 402,
}


def payment_public_dict(payment, *, viewer=None) -> dict:
    """The payment as its guest sees it; the host (any viewer not the guest) gets no card
    details: no payment method, no provider reference."""
    is_guest = viewer is None or payment.booking.guest_id == viewer.pk
    body = {
        "id": str(payment.pk),
        "booking": str(payment.booking_id),
        "amount": _amount(payment.amount),
        "currency": payment.currency,
        "status": str(payment.status),
        "failure_code": payment.failure_code,
        "failure_message": payment.failure_message,
        "created_at": _timestamp(payment.created_at),
        "refunds": [refund_public_dict(refund) for refund in payment.refunds.all()],
    }
    if is_guest:
        body["payment_method"] = payment.payment_method
    return body


def booking_pay_idempotent(
    *, guest, booking, payment_method: str, key: str | None
) -> tuple[int, dict, bool]:
    """Pay once per (guest, key): (status, body, replayed). Raises what booking_pay raises."""

    def pay():
        payment = booking_pay(
            actor=guest,
            booking=booking,
            payment_method=payment_method,
            idempotency_key=key or "",
        )
        body = payment_public_dict(payment)
        if payment.status == Payment.Status.FAILED:
            body.update(code=payment.failure_code, detail=payment.failure_message)
        return STATUS_BY_OUTCOME[payment.status], body

    payload = {"booking": booking.pk, "payment_method": payment_method}
    return run_idempotent(
        user=guest, scope=IDEMPOTENCY_SCOPE, key=key, payload=payload, execute=pay
    )
