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
                date_format(localtime(booking.expires_at), "j M, H:i") if booking.expires_at else ""
            ),
        },
    )


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


def _refund_context(refund) -> dict:
    from django.db.models import Sum

    payment = refund.payment
    refunded = payment.refunds.filter(status="succeeded").aggregate(total=Sum("amount"))["total"]
    return {
        "amount": str(refund.amount),
        "refund_kind": refund.get_kind_display(),
        "refund_reason": refund.reason,
        "payment_amount": str(payment.amount),
        "refunded_total": str(refunded or "0.00"),
        "refund_reference": str(refund.pk).split("-")[0].upper(),
    }


def refund_succeeded(sender, refund, **kwargs):
    """The guest learns that the money is on its way, once per refund."""
    from bookings.notifications import booking_notify

    booking_notify(
        refund.payment.booking,
        "refund_sent",
        guest=True,
        ref=f"refund:{refund.pk}",
        extra={
            **_refund_context(refund),
            "sent_on": date_format(localtime(refund.succeeded_at), "D j M Y"),
        },
    )


def refund_failed(sender, refund, **kwargs):
    """Staff who can give refunds are told, once per refund: the guest is owed money that did
    not leave (a retry is a new refund, so a new alert if it fails too)."""
    from bookings.notifications import booking_email_context

    payment = refund.payment
    context = {
        **booking_email_context(payment.booking),
        **_refund_context(refund),
        "failure_code": refund.failure_code,
        "failure_message": refund.failure_message,
        "guest_email": payment.booking.guest.email,
        "link": f"{settings.SITE_URL}/admin/payments/payment/{payment.pk}/change/",
    }
    for staff in staff_to_alert_about_refunds():
        notification_create(
            event="refund_failed",
            ref=f"refund:{refund.pk}",
            recipient=staff,
            context={**context, "recipient_name": staff.first_name or "there"},
        )


def staff_to_alert_about_refunds():
    """Active staff who may give refunds (payments.add_refund, directly, through a group, or as
    superusers)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    can_refund = Q(
        user_permissions__codename="add_refund",
        user_permissions__content_type__app_label="payments",
    ) | Q(
        groups__permissions__codename="add_refund",
        groups__permissions__content_type__app_label="payments",
    )
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(Q(is_superuser=True) | can_refund)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def connect() -> None:
    from payments import signals

    signals.payment_failed.connect(payment_failed, dispatch_uid="notify-payment-failed")
    signals.payout_paid.connect(payout_paid, dispatch_uid="notify-payout-paid")
    signals.refund_succeeded.connect(refund_succeeded, dispatch_uid="notify-refund-sent")
    signals.refund_failed.connect(refund_failed, dispatch_uid="notify-refund-failed")
