"""Money events become emails through the outbox: a declined card tells the guest, a paid
payout tells the host; a successful payment confirms the booking with a receipt to both."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.utils import timezone

from notifications.models import Notification
from payments import signals
from payments.models import Payment, Payout, Refund
from payments.services import booking_cancel_with_refund, booking_pay
from tests.factories import HostFactory, ListingFactory, UserFactory, make_booking

pytestmark = pytest.mark.django_db


def test_a_declined_card_tells_the_guest_once_per_attempt(django_capture_on_commit_callbacks):
    booking = make_booking()
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            payment = booking_pay(actor=booking.guest, booking=booking,
                                  payment_method="pm_card_chargeDeclined")  # fmt: skip
            assert payment.status == "failed"
    rows = Notification.objects.filter(event="payment_failed")
    assert rows.count() == 2 and {r.to_email for r in rows} == {booking.guest.email}
    assert len(mail.outbox) == 2
    assert mail.outbox[0].subject.startswith("Your payment for ")
    assert "Your card was declined." in mail.outbox[0].body
    assert f"{booking.total} {booking.currency}" in mail.outbox[0].body


def test_a_successful_payment_sends_the_receipt_to_guest_and_host(
    django_capture_on_commit_callbacks,
):
    booking = make_booking()
    with django_capture_on_commit_callbacks(execute=True):
        payment = booking_pay(actor=booking.guest, booking=booking, payment_method="pm_card_visa")
    assert payment.status == "succeeded"
    sent = sorted((m.to[0], m.subject.split(":")[0]) for m in mail.outbox)
    assert sent == sorted([(booking.guest.email, "Confirmed"),
                           (booking.listing.host.email, "Confirmed")])  # fmt: skip
    receipt = next(m for m in mail.outbox if m.to == [booking.guest.email])
    assert f"Paid: {booking.total} {booking.currency}" in receipt.body


def test_a_paid_payout_tells_the_host(django_capture_on_commit_callbacks):
    host = HostFactory(first_name="Hugo")
    payout = Payout.objects.create(host=host, currency="EUR", amount=Decimal("412.50"),
                                   status=Payout.Status.PAID, paid_at=timezone.now())  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        signals.payout_paid.send(sender=Payout, payout=payout)
        signals.payout_paid.send(sender=Payout, payout=payout)  # a replay: nothing more
    [email] = mail.outbox
    assert email.to == [host.email] and email.subject == "Payout sent: 412.50 EUR"
    assert "Hi Hugo" in email.body


def paid_booking(django_capture_on_commit_callbacks):
    listing = ListingFactory(title="Dune house", cancellation_policy="flexible")
    booking = make_booking(listing=listing, check_in=timezone.localdate() + timedelta(days=40))
    with django_capture_on_commit_callbacks(execute=True):
        booking_pay(actor=booking.guest, booking=booking, payment_method="pm_card_visa")
    mail.outbox.clear()
    return booking


def test_a_sent_refund_tells_the_guest_once(django_capture_on_commit_callbacks):
    booking = paid_booking(django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel_with_refund(booking=booking, actor=booking.guest, reason="Plans changed")
    refund = Refund.objects.get()
    assert refund.status == Refund.Status.SUCCEEDED
    to_guest = [m for m in mail.outbox if m.to == [booking.guest.email]]
    [email] = [m for m in to_guest if m.subject.startswith("Your refund")]
    assert email.subject == f"Your refund of {refund.amount} {booking.currency} was sent"
    assert f"Refunded so far: {refund.amount} of the {booking.total} EUR you paid" in email.body
    assert "Dune house" in email.body and "Cancellation (flexible policy)" in email.body
    assert f"{refund.amount} {booking.currency}</strong>" in email.alternatives[0][0]

    with django_capture_on_commit_callbacks(execute=True):  # a replayed event: nothing more
        signals.refund_succeeded.send(sender=Refund, refund=refund)
    assert Notification.objects.filter(event="refund_sent").count() == 1
    assert not Notification.objects.filter(event="refund_sent").exclude(status="sent").exists()
    assert len([m for m in mail.outbox if m.subject.startswith("Your refund")]) == 1


def test_a_failed_refund_alerts_the_staff_who_can_refund(django_capture_on_commit_callbacks):
    booking = paid_booking(django_capture_on_commit_callbacks)
    payment = booking.payments.get()
    superuser = UserFactory(is_staff=True, is_superuser=True)
    refunder = UserFactory(is_staff=True, first_name="Rita")
    refunder.user_permissions.add(Permission.objects.get(codename="add_refund"))
    UserFactory(is_staff=True)  # staff without the refund permission: not told
    UserFactory(is_staff=False, is_superuser=True)  # no back-office access: not told
    # The provider no longer knows the charge: it refuses the refund.
    Payment.objects.filter(pk=payment.pk).update(provider_reference="pi_sim_unknown")
    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel_with_refund(booking=booking, actor=booking.guest, reason="Plans changed")
    refund = Refund.objects.get()
    assert (refund.status, refund.failure_code) == (Refund.Status.FAILED, "charge_not_found")

    alerts = [m for m in mail.outbox if m.subject.startswith("Refund failed")]
    assert sorted(m.to[0] for m in alerts) == sorted([superuser.email, refunder.email])
    to_rita = next(m for m in alerts if m.to == [refunder.email])
    assert to_rita.subject == f"Refund failed: {refund.amount} EUR for Dune house"
    assert "Hi Rita" in to_rita.body and booking.guest.email in to_rita.body
    assert "(charge_not_found)" in to_rita.body
    assert f"/admin/payments/payment/{payment.pk}/change/" in to_rita.body
    assert not [m for m in mail.outbox if m.subject.startswith("Your refund")]
