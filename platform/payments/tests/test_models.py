"""What the database itself refuses, whatever the code does."""

import pytest
from django.db import IntegrityError, transaction

from payments.models import Payment, Payout, PayoutLine
from tests.factories import make_booking

pytestmark = pytest.mark.django_db


def payment(booking, status):
    return Payment.objects.create(
        booking=booking, amount=booking.total, currency=booking.currency,
        payment_method="pm_card_visa", provider="simulated", status=status,
    )  # fmt: skip


@pytest.mark.parametrize("status", [Payment.Status.SUCCEEDED, Payment.Status.PROCESSING])
def test_at_most_one_succeeded_and_one_processing_payment_per_booking(status):
    booking = make_booking()
    payment(booking, status)
    with pytest.raises(IntegrityError), transaction.atomic():
        payment(booking, status)
    assert Payment.objects.filter(booking=booking).count() == 1


def test_failed_payments_may_repeat_beside_one_processing_and_one_succeeded():
    booking = make_booking()
    for status in ("failed", "failed", "processing", "succeeded"):
        payment(booking, status)
    assert Payment.objects.filter(booking=booking).count() == 4


def test_a_booking_is_in_one_payout_only():
    booking = make_booking()
    host = booking.listing.host
    first = Payout.objects.create(host=host, currency="EUR", amount=booking.total)
    second = Payout.objects.create(host=host, currency="EUR", amount=booking.total)
    PayoutLine.objects.create(payout=first, booking=booking, amount=booking.total)
    with pytest.raises(IntegrityError), transaction.atomic():
        PayoutLine.objects.create(payout=second, booking=booking, amount=booking.total)
