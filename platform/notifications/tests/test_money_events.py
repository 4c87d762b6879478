"""Money events become emails through the outbox: a declined card tells the guest, a paid
payout tells the host; a successful payment confirms the booking with a receipt to both."""

from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from notifications.models import Notification
from payments import signals
from payments.models import Payout
from payments.services import booking_pay
from tests.factories import HostFactory, make_booking

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
