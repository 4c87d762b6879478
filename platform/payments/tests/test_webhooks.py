"""Webhooks reconcile state once: redelivered three times, out of order, the record changes
once and the ledger posts once."""

import json
import random

import pytest
from django.conf import settings

from ledger.checks import ledger_disagreements
from ledger.models import JournalEntry
from payments import services
from payments.models import Payment, Refund, SimulatedOperation, WebhookEvent
from payments.providers import ChargeRequest, provider_get
from payments.providers.events import signature_header
from payments.providers.simulated import simulated_event_body, simulated_webhook
from payments.webhooks import webhook_receive

pytestmark = pytest.mark.django_db


def receive(body, header):
    return webhook_receive(provider_name="simulated", payload=body, signature=header)


def signed(event: dict):
    body = json.dumps(event).encode()
    return body, signature_header(body, secret=settings.SIMULATED_WEBHOOK_SECRET)


def charged_but_unrecorded(booking):
    """The provider charged; our process died before recording it (the webhook must)."""
    payment = services.payment_start(
        actor=booking.guest, booking=booking, payment_method="pm_card_visa"
    )
    services.provider_get("simulated").charge(services._charge_request(payment))
    return payment


def test_payment_events_three_times_out_of_order_change_state_once(booking):
    payment = charged_but_unrecorded(booking)
    operation = SimulatedOperation.objects.get()
    succeeded = simulated_webhook(operation)
    # An earlier, failed attempt on the same PaymentIntent, delivered late.
    failed_event = simulated_event_body(operation)
    failed_event.update(id="evt_sim_earlier_failure", type="payment_intent.payment_failed")
    failed_event["data"]["object"].update(
        status="requires_payment_method",
        last_payment_error={"code": "card_declined", "decline_code": "card_declined"},
    )
    failed = signed(failed_event)
    deliveries = [succeeded, failed] * 3
    random.Random(8).shuffle(deliveries)
    deliveries.sort(key=lambda d: d is not succeeded)  # the success first, then the stale ones
    for body, header in deliveries:
        receive(body, header)
    payment.refresh_from_db()
    booking.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    assert booking.status == "confirmed"
    assert payment.history.filter(status="succeeded").count() == 1
    assert JournalEntry.objects.filter(payment=payment).count() == 1
    assert WebhookEvent.objects.count() == 2
    assert ledger_disagreements() == []


def test_a_late_failure_event_first_then_success_records_only_the_failure_once(booking):
    """A PaymentIntent whose only outcome was a decline: three deliveries, one change."""
    payment = services.payment_start(
        actor=booking.guest, booking=booking, payment_method="pm_card_chargeDeclined"
    )
    provider_get("simulated").charge(services._charge_request(payment))
    body, header = simulated_webhook(SimulatedOperation.objects.get())
    for _ in range(3):
        receive(body, header)
    payment.refresh_from_db()
    assert (payment.status, payment.failure_code) == ("failed", "card_declined")
    assert payment.history.filter(status="failed").count() == 1
    booking.refresh_from_db()
    assert booking.status == "pending_payment"


def test_refund_events_redelivered_post_once(booking, django_capture_on_commit_callbacks):
    payment = services.booking_pay(
        actor=booking.guest, booking=booking, payment_method="pm_card_visa"
    )
    refund = services.refund_create(
        payment=payment, amount=payment.amount, kind=Refund.Kind.CANCELLATION
    )  # pending: its task never ran (no commit in this test)
    provider_get("simulated").refund(
        services.RefundRequest(
            charge_reference=payment.provider_reference, amount=refund.amount, currency="EUR",
            idempotency_key=refund.provider_idempotency_key, metadata={"refund_id": str(refund.pk)},
        )
    )  # fmt: skip
    body, header = simulated_webhook(SimulatedOperation.objects.get(kind="refund"))
    for _ in range(3):
        receive(body, header)
    refund.refresh_from_db()
    assert refund.status == "succeeded"
    assert JournalEntry.objects.filter(refund=refund).count() == 1
    # The task that finally runs finds nothing left to do, and the provider refunded once.
    services.refund_execute(refund=refund)
    assert SimulatedOperation.objects.filter(kind="refund").count() == 1
    assert ledger_disagreements() == []


def test_an_event_about_nothing_of_ours_is_stored_and_changes_nothing(booking):
    provider_get("simulated").charge(
        ChargeRequest(amount=booking.total, currency="EUR", payment_method="pm_card_visa",
                      idempotency_key="someone-else")
    )  # fmt: skip
    receive(*simulated_webhook(SimulatedOperation.objects.get()))
    assert WebhookEvent.objects.get().processed_at is not None
    assert not Payment.objects.exists()
