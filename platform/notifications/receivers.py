"""Money events (payments.signals) become outbox rows. The signals are sent inside the
transaction that records the change, so each row commits or rolls back with it."""

from __future__ import annotations

from django.conf import settings
from django.utils.formats import date_format
from django.utils.timezone import localtime

from .services import notification_create


def payment_failed(sender, payment, **kwargs):
    from bookings.notifications import booking_notify

    booking = payment.booking
    booking_notify(
        booking,
        "payment_failed",
        guest=True,
        ref=f"payment:{payment.pk}",  # each failed attempt is its own email
        extra={
            "payment_amount": str(payment.amount),
            "failure_message": payment.failure_message,
            "hold_until": (
                date_format(localtime(booking.expires_at), "j M, H:i") if booking.expires_at
                else ""
            ),
        },
    )  # fmt: skip


def payout_paid(sender, payout, **kwargs):
    host = payout.host
    notification_create(
        event="payout_paid",
        ref=f"payout:{payout.pk}",
        recipient=host,
        context={
            "recipient_name": host.first_name or "there",
            "amount": str(payout.amount),
            "currency": payout.currency,
            "paid_on": date_format(localtime(payout.paid_at), "D j M Y") if payout.paid_at else "",
            "payout_reference": str(payout.pk).split("-")[0].upper(),
            "link": f"{settings.SITE_URL}/admin/payouts/",
        },
    )


def connect() -> None:
    from payments import signals

    signals.payment_failed.connect(payment_failed, dispatch_uid="notify-payment-failed")
    signals.payout_paid.connect(payout_paid, dispatch_uid="notify-payout-paid")
