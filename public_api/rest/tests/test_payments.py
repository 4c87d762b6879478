"""Paying through REST: outcomes and their statuses, idempotency, reads, refunds on cancel,
webhooks, and who may do what (another guest, another host, moderator, auditor)."""

import time
import uuid

import pytest

from accounts import roles
from bookings.models import Booking
from ledger.checks import ledger_disagreements
from payments.models import Payment, SimulatedOperation, WebhookEvent
from payments.providers.simulated import simulated_webhook
from tests.factories import HostFactory, UserFactory, make_booking

from .conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking(guest, listing):
    return make_booking(guest=guest, listing=listing)


def pay(client, booking, method="pm_card_visa", key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key or str(uuid.uuid4())}
    return client.post(f"/api/v1/bookings/{booking.pk}/pay/", {"payment_method": method}, **headers)


def charges():
    return SimulatedOperation.objects.filter(kind="charge").count()


def test_declined_then_paid(as_guest, booking):
    declined = pay(as_guest, booking, "pm_card_chargeDeclined")
    assert declined.status_code == 402
    assert declined.data["code"] == "card_declined"
    assert declined.data["status"] == "failed"
    assert declined.data["detail"]
    assert as_guest.get(f"/api/v1/bookings/{booking.pk}/").data["status"] == "pending_payment"

    paid = pay(as_guest, booking, "pm_card_visa")
    assert paid.status_code == 201, paid.data
    assert paid.data["status"] == "succeeded"
    assert (paid.data["amount"], paid.data["currency"]) == (str(booking.total), "EUR")
    assert paid.data["payment_method"] == "pm_card_visa"
    assert as_guest.get(f"/api/v1/bookings/{booking.pk}/").data["status"] == "confirmed"
    assert ledger_disagreements() == []


@pytest.mark.parametrize(
    ("method", "code"),
    [
        ("pm_card_chargeDeclinedInsufficientFunds", "insufficient_funds"),
        ("pm_card_chargeDeclinedExpiredCard", "expired_card"),
        ("pm_card_bogus", "invalid_payment_method"),
    ],
)
def test_each_refusal_has_its_code(as_guest, booking, method, code):
    response = pay(as_guest, booking, method)
    assert (response.status_code, response.data["code"]) == (402, code)


def test_a_replayed_key_returns_the_first_answer_without_charging_again(as_guest, booking):
    first = pay(as_guest, booking, key="k-1")
    again = pay(as_guest, booking, key="k-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.data == first.data
    assert again["Idempotent-Replayed"] == "true"
    assert charges() == 1
    other_body = pay(as_guest, booking, "pm_card_mastercard", key="k-1")
    assert (other_body.status_code, other_body.data["code"]) == (422, "idempotency_key_reused")


def test_a_declined_answer_is_replayed_too_and_a_new_key_pays(as_guest, booking):
    assert pay(as_guest, booking, "pm_card_chargeDeclined", key="a").status_code == 402
    assert pay(as_guest, booking, "pm_card_chargeDeclined", key="a").status_code == 402
    assert charges() == 1
    assert pay(as_guest, booking, "pm_card_visa", key="b").status_code == 201


@pytest.mark.parametrize(
    ("prepare", "code"),
    [
        ("paid", "already_paid"),
        ("processing", "payment_in_progress"),
        ("cancelled", "not_payable"),
    ],
)
def test_conflicts_are_409(as_guest, booking, prepare, code):
    if prepare == "paid":
        pay(as_guest, booking)
    elif prepare == "processing":
        Payment.objects.create(
            booking=booking, amount=booking.total, currency="EUR",
            payment_method="pm_card_visa", provider="simulated",
        )  # fmt: skip
    else:
        Booking.objects.filter(pk=booking.pk).update(status="cancelled")
    response = pay(as_guest, booking)
    assert (response.status_code, response.data["code"]) == (409, code)


@pytest.mark.parametrize("body", [{}, {"payment_method": ""}, {"payment_method": "x" * 256}])
def test_bad_input_is_400(as_guest, booking, body):
    response = as_guest.post(f"/api/v1/bookings/{booking.pk}/pay/", body)
    assert response.status_code == 400
    assert not Payment.objects.exists()


def outsiders():
    return {
        "another guest": UserFactory(),
        "another host": HostFactory(),
        "moderator": UserFactory(groups=[roles.MODERATORS], is_staff=True),
        "auditor": UserFactory(groups=[roles.AUDITORS], is_staff=True),
    }


def test_nobody_but_the_guest_pays_or_sees_the_payment(as_guest, as_host, booking):
    callers = {**outsiders(), "the listing's host": booking.listing.host}
    for name, user in callers.items():
        response = pay(client_for(user), booking)
        assert response.status_code == 404, name
        assert response.data == {"detail": "Not found."}
    assert not Payment.objects.exists()
    payment_id = pay(as_guest, booking).data["id"]
    for name, user in outsiders().items():
        client = client_for(user)
        assert client.get(f"/api/v1/payments/{payment_id}/").status_code == 404, name
        assert client.get("/api/v1/payments/").data["results"] == [], name
    assert client_for(None).get("/api/v1/payments/").status_code == 401
    assert pay(client_for(None), booking).status_code == 401


def test_the_host_sees_the_payment_without_card_details(as_guest, as_host, booking):
    payment_id = pay(as_guest, booking).data["id"]
    seen = as_host.get(f"/api/v1/payments/{payment_id}/").data
    assert seen["status"] == "succeeded"
    assert "payment_method" not in seen
    listed = as_host.get("/api/v1/payments/").data["results"]
    assert [p["id"] for p in listed] == [payment_id]
    assert "payment_method" not in listed[0]
    assert as_guest.get("/api/v1/payments/").data["results"][0]["payment_method"] == "pm_card_visa"


@pytest.mark.parametrize("count", [2, 12])
def test_the_payments_list_costs_the_same_queries_whatever_its_size(
    guest, as_guest, django_assert_max_num_queries, count
):
    for _ in range(count):
        pay(as_guest, make_booking(guest=guest), "pm_card_chargeDeclined")
    # user (token), count, page of payments (+booking, listing), refunds
    with django_assert_max_num_queries(4):
        response = as_guest.get("/api/v1/payments/?page_size=50")
    assert response.data["count"] == count


def test_cancelling_a_paid_booking_shows_the_refund(
    as_guest, booking, django_capture_on_commit_callbacks
):
    pay(as_guest, booking)
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = as_guest.post(f"/api/v1/bookings/{booking.pk}/cancel/", {"reason": "ill"})
    assert cancelled.status_code == 200
    assert [(r["amount"], r["status"]) for r in cancelled.data["refunds"]] == [
        (str(booking.total), "pending")  # 30 days ahead, moderate: everything; sent after commit
    ]
    shown = as_guest.get(f"/api/v1/bookings/{booking.pk}/").data["refunds"]
    assert [(r["amount"], r["status"], r["kind"]) for r in shown] == [
        (str(booking.total), "succeeded", "cancellation")
    ]
    payment = as_guest.get("/api/v1/payments/").data["results"][0]
    assert payment["refunds"][0]["status"] == "succeeded"
    assert ledger_disagreements() == []


# --- webhooks ----------------------------------------------------------------------------------


def deliver(client, body, header, provider="simulated"):
    return client.generic(
        "POST", f"/api/v1/payments/webhooks/{provider}/", body,
        content_type="application/json", HTTP_STRIPE_SIGNATURE=header,
    )  # fmt: skip


def test_a_webhook_redelivered_changes_state_once(anon, as_guest, booking):
    pay(as_guest, booking, "pm_card_chargeDeclined")
    body, header = simulated_webhook(SimulatedOperation.objects.get())
    answers = [deliver(anon, body, header) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert WebhookEvent.objects.get().processed_at is not None
    payment = Payment.objects.get()
    assert payment.history.filter(status="failed").count() == 1


@pytest.mark.parametrize("fault", ["stale", "tampered", "unsigned"])
def test_a_badly_signed_webhook_is_400_and_stored_nowhere(anon, as_guest, booking, fault):
    pay(as_guest, booking)
    operation = SimulatedOperation.objects.get()
    body, header = simulated_webhook(operation)
    if fault == "stale":
        header = simulated_webhook(operation, timestamp=int(time.time()) - 301)[1]
    elif fault == "tampered":
        body = body.replace(b"succeeded", b"failed")
    else:
        header = ""
    response = deliver(anon, body, header)
    assert (response.status_code, response.data["code"]) == (400, "webhook_refused")
    assert not WebhookEvent.objects.exists()


def test_an_unknown_provider_is_404(anon):
    assert deliver(anon, b"{}", "t=1,v1=x", provider="paypal").status_code == 404
