"""The same pay request, ten times at once, on PostgreSQL: one provider charge, one payment.
Counted in the simulated provider's own records."""

import uuid

import pytest

from bookings.models import Booking
from ledger.checks import ledger_disagreements
from payments.models import Payment, SimulatedOperation
from tests.factories import UserFactory, make_booking

from .conftest import client_for
from .test_concurrency import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ATTEMPTS = 10


def pay_call(client, booking, key):
    def call():
        response = client.post(
            f"/api/v1/bookings/{booking.pk}/pay/", {"payment_method": "pm_card_visa"},
            HTTP_IDEMPOTENCY_KEY=key,
        )  # fmt: skip
        return response.status_code, (response.data or {}).get("code")

    return call


def assert_paid_once(booking):
    assert SimulatedOperation.objects.filter(kind="charge").count() == 1
    assert Payment.objects.filter(booking=booking).count() == 1
    assert Payment.objects.get(booking=booking).status == "succeeded"
    assert Booking.objects.get(pk=booking.pk).status == "confirmed"
    assert ledger_disagreements() == []


@pytest.mark.parametrize("same_key", [True, False], ids=["same key", "different keys"])
def test_ten_concurrent_pay_requests_charge_once(same_key):
    guest = UserFactory()
    booking = make_booking(guest=guest)
    clients = [client_for(guest) for _ in range(ATTEMPTS)]
    keys = ["one-key"] * ATTEMPTS if same_key else [str(uuid.uuid4()) for _ in range(ATTEMPTS)]
    results = race([pay_call(c, booking, k) for c, k in zip(clients, keys, strict=True)])
    assert None not in results
    statuses = [status for status, _code in results]
    assert statuses.count(201) >= 1, results
    assert set(statuses) <= {201, 409}, results
    conflicts = {code for status, code in results if status == 409}
    assert conflicts <= {"idempotency_in_progress", "payment_in_progress", "already_paid"}
    if not same_key:
        assert statuses.count(201) == 1, results
    assert_paid_once(booking)
