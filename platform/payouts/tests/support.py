"""Paid stays for payout tests: a real booking, paid through the payment service (simulated
provider, ledger entry), then moved into the past (past dates cannot be booked)."""

import datetime as dt

from django.utils import timezone

from bookings.models import Booking
from calendars.models import Occupancy
from payments.models import Payment, PayoutAccount
from payments.services import booking_pay
from tests.factories import HostFactory, ListingFactory, future, make_booking


def host_with_account(**kwargs):
    host = HostFactory(**kwargs)
    PayoutAccount.objects.create(host=host, stripe_account_id=f"acct_test{host.pk.hex[:10]}")
    return host


def paid_stay(*, listing=None, check_in: dt.date | None = None, days_ago: int = 3, nights=3):
    listing = listing or ListingFactory(host=host_with_account())
    booking = make_booking(listing=listing, check_in=future(400), nights=nights)
    payment = booking_pay(actor=booking.guest, booking=booking, payment_method="pm_card_visa")
    assert payment.status == Payment.Status.SUCCEEDED
    check_in = check_in or timezone.localdate() - dt.timedelta(days=days_ago)
    check_out = check_in + dt.timedelta(days=nights)
    Booking.objects.filter(pk=booking.pk).update(check_in=check_in, check_out=check_out)
    Occupancy.objects.filter(pk=booking.occupancy_id).update(start=check_in, end=check_out)
    booking.refresh_from_db()
    return booking
