"""The simulated provider: every test card, idempotency keys, refunds, transfers, its events."""

import json
import time
from decimal import Decimal as D

import pytest
from django.db import transaction

from payments.models import SimulatedOperation
from payments.providers import (
    ChargeRequest,
    ProviderCalledInTransaction,
    RefundRequest,
    TransferRequest,
    WebhookRefused,
    provider_get,
)
from payments.providers.events import signature_header
from payments.providers.simulated import simulated_totals, simulated_webhook

pytestmark = pytest.mark.django_db


def charge(method="pm_card_visa", key="staybook-payment-1", amount=D("123.45")):
    return provider_get("simulated").charge(
        ChargeRequest(amount=amount, currency="EUR", payment_method=method, idempotency_key=key,
                      metadata={"payment_id": key})
    )  # fmt: skip


@pytest.mark.parametrize(
    ("method", "succeeded", "code"),
    [
        ("pm_card_visa", True, ""),
        ("pm_card_mastercard", True, ""),
        ("pm_card_chargeDeclined", False, "card_declined"),
        ("pm_card_chargeDeclinedInsufficientFunds", False, "insufficient_funds"),
        ("pm_card_chargeDeclinedExpiredCard", False, "expired_card"),
        ("pm_card_unknown", False, "invalid_payment_method"),
        ("", False, "invalid_payment_method"),
    ],
)
def test_every_test_card(method, succeeded, code):
    result = charge(method)
    assert (result.succeeded, result.failure_code) == (succeeded, code)
    assert result.reference.startswith("pi_sim_")
    assert bool(result.failure_message) is not succeeded
    operation = SimulatedOperation.objects.get()
    assert (operation.amount_minor, operation.currency) == (12345, "EUR")


def test_a_repeated_idempotency_key_charges_once_and_answers_the_same():
    first = charge("pm_card_visa")
    again = charge("pm_card_chargeDeclined")  # same key: the first call's answer
    assert again == first
    assert SimulatedOperation.objects.count() == 1
    assert simulated_totals() == {("EUR", "charge"): D("123.45")}


def test_refunds_never_exceed_the_charge():
    reference = charge().reference
    provider = provider_get("simulated")

    def refund(key, amount, ref=reference):
        return provider.refund(
            RefundRequest(charge_reference=ref, amount=amount, currency="EUR", idempotency_key=key)
        )

    assert refund("r1", D("100.00")).succeeded
    assert refund("r2", D("23.46")).failure_code == "amount_too_large"
    assert refund("r3", D("23.45")).succeeded
    assert refund("r4", D("1.00"), ref="pi_sim_nope").failure_code == "charge_not_found"
    assert simulated_totals()[("EUR", "refund")] == D("123.45")


@pytest.mark.parametrize(
    ("destination", "code"),
    [("acct_1ABC", ""), ("", "account_missing"), ("acct_invalid", "account_invalid")],
)
def test_transfers(destination, code):
    result = provider_get("simulated").transfer(
        TransferRequest(
            destination=destination, amount=D("10"), currency="EUR", idempotency_key="t"
        )
    )
    assert (result.succeeded, result.failure_code) == (not code, code)


def test_a_provider_call_inside_a_transaction_raises():
    with pytest.raises(ProviderCalledInTransaction), transaction.atomic():
        charge()
    assert not SimulatedOperation.objects.exists()


@pytest.mark.parametrize("method", ["pm_card_visa", "pm_card_chargeDeclined"])
def test_its_events_are_signed_like_stripe_and_verify(method):
    charge(method)
    body, header = simulated_webhook(SimulatedOperation.objects.get())
    event = provider_get("simulated").webhook_event(payload=body, signature=header)
    assert event.object_type == "payment_intent"
    assert event.metadata == {"payment_id": "staybook-payment-1"}
    if method == "pm_card_visa":
        assert (event.type, event.status) == ("payment_intent.succeeded", "succeeded")
    else:
        assert (event.type, event.status) == ("payment_intent.payment_failed", "failed")
        assert event.failure_code == "card_declined"


def test_bad_signatures_are_refused(settings):
    charge()
    operation = SimulatedOperation.objects.get()
    body, header = simulated_webhook(operation)
    provider = provider_get("simulated")
    stale = simulated_webhook(operation, timestamp=int(time.time()) - 301)[1]
    tampered = json.dumps({**json.loads(body), "type": "x"}).encode()
    other_secret = signature_header(body, secret="whsec_someone_else")
    for payload, signature in [
        (body, stale), (tampered, header), (body, other_secret), (body, ""), (b"{}", header),
    ]:  # fmt: skip
        with pytest.raises(WebhookRefused):
            provider.webhook_event(payload=payload, signature=signature)
    recent = simulated_webhook(operation, timestamp=int(time.time()) - 240)[1]
    assert provider.webhook_event(payload=body, signature=recent).id
