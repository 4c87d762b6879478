"""The Stripe adapter, through the official SDK, against a small fake Stripe API on
127.0.0.1: what it sends (minor units, currency, idempotency keys, metadata) and how it reads
the answers; and the webhook signatures it accepts and refuses."""

import json
import threading
import time
from decimal import Decimal as D
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

import pytest

from ledger.checks import ledger_disagreements
from payments import services
from payments.models import Payment
from payments.providers import (
    ChargeRequest,
    ProviderUnavailable,
    RefundRequest,
    TransferRequest,
    WebhookRefused,
    provider_get,
)
from payments.providers.events import signature_header

DECLINED = {
    "error": {
        "type": "card_error", "code": "card_declined", "decline_code": "insufficient_funds",
        "message": "Your card has insufficient funds.",
        "payment_intent": {"id": "pi_declined_1", "object": "payment_intent"},
    }
}  # fmt: skip


class FakeStripe(BaseHTTPRequestHandler):
    requests: list = []

    def do_POST(self):  # noqa: N802 - the http.server hook's name
        length = int(self.headers.get("Content-Length") or 0)
        form = dict(parse_qsl(self.rfile.read(length).decode()))
        FakeStripe.requests.append({"path": self.path, "headers": dict(self.headers), "form": form})
        status, body = self._answer(form)
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _answer(self, form):
        n = len(FakeStripe.requests)
        if self.path == "/v1/payment_intents":
            if form.get("payment_method") == "pm_card_chargeDeclined":
                return 402, DECLINED
            if form.get("payment_method") == "pm_server_error":
                return 500, {"error": {"type": "api_error", "message": "Boom."}}
            return 200, {"id": f"pi_fake_{n}", "object": "payment_intent", "status": "succeeded",
                         "amount": int(form["amount"]), "currency": form["currency"]}  # fmt: skip
        if self.path == "/v1/refunds":
            return 200, {"id": f"re_fake_{n}", "object": "refund", "status": "succeeded"}
        if self.path == "/v1/transfers":
            return 200, {"id": f"tr_fake_{n}", "object": "transfer"}
        return 404, {"error": {"type": "invalid_request_error", "message": "No such path."}}

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_stripe(settings):
    FakeStripe.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeStripe)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.PAYMENT_PROVIDER = "stripe"
    settings.STRIPE_API_KEY = "sk_test_fake"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test_secret"
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{server.server_address[1]}"
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    try:
        yield FakeStripe.requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_a_charge_is_a_confirmed_payment_intent_in_minor_units(fake_stripe):
    result = provider_get().charge(
        ChargeRequest(amount=D("336.05"), currency="EUR", payment_method="pm_card_visa",
                      idempotency_key="staybook-payment-abc", metadata={"payment_id": "abc"})
    )  # fmt: skip
    assert (result.succeeded, result.reference) == (True, "pi_fake_1")
    [sent] = fake_stripe
    assert sent["path"] == "/v1/payment_intents"
    assert sent["headers"]["Idempotency-Key"] == "staybook-payment-abc"
    assert sent["headers"]["Authorization"] == "Bearer sk_test_fake"
    form = sent["form"]
    assert (form["amount"], form["currency"], form["confirm"]) == ("33605", "eur", "true")
    assert form["payment_method"] == "pm_card_visa"
    assert form["metadata[payment_id]"] == "abc"
    assert form["automatic_payment_methods[allow_redirects]"] == "never"


def test_a_decline_is_a_failed_result_with_the_decline_code(fake_stripe):
    result = provider_get().charge(
        ChargeRequest(amount=D("10"), currency="USD", payment_method="pm_card_chargeDeclined",
                      idempotency_key="k")
    )  # fmt: skip
    assert not result.succeeded
    assert (result.failure_code, result.reference) == ("insufficient_funds", "pi_declined_1")
    assert result.failure_message == "Your card has insufficient funds."


def test_a_server_error_is_an_unknown_outcome(fake_stripe):
    with pytest.raises(ProviderUnavailable):
        provider_get().charge(
            ChargeRequest(amount=D("10"), currency="EUR", payment_method="pm_server_error",
                          idempotency_key="k")
        )  # fmt: skip


def test_refund_and_transfer_requests(fake_stripe):
    provider = provider_get()
    refund = provider.refund(
        RefundRequest(charge_reference="pi_1", amount=D("165.00"), currency="EUR",
                      idempotency_key="staybook-refund-r1", metadata={"refund_id": "r1"})
    )  # fmt: skip
    transfer = provider.transfer(
        TransferRequest(destination="acct_123", amount=D("291.00"), currency="EUR",
                        idempotency_key="staybook-payout-p1", metadata={"payout_id": "p1"})
    )  # fmt: skip
    assert (refund.succeeded, transfer.succeeded) == (True, True)
    sent_refund, sent_transfer = fake_stripe
    assert sent_refund["path"] == "/v1/refunds"
    assert sent_refund["headers"]["Idempotency-Key"] == "staybook-refund-r1"
    assert sent_refund["form"] == {"payment_intent": "pi_1", "amount": "16500",
                                   "metadata[refund_id]": "r1"}  # fmt: skip
    assert sent_transfer["path"] == "/v1/transfers"
    assert sent_transfer["headers"]["Idempotency-Key"] == "staybook-payout-p1"
    assert sent_transfer["form"] == {
        "amount": "29100", "currency": "eur", "destination": "acct_123",
        "metadata[payout_id]": "p1",
    }  # fmt: skip


@pytest.mark.django_db
def test_paying_a_booking_through_stripe(fake_stripe, booking):
    payment = services.booking_pay(
        actor=booking.guest, booking=booking, payment_method="pm_card_visa"
    )
    assert (payment.status, payment.provider) == (Payment.Status.SUCCEEDED, "stripe")
    [sent] = fake_stripe
    assert sent["headers"]["Idempotency-Key"] == f"staybook-payment-{payment.pk}"
    assert sent["form"]["metadata[booking_id]"] == str(booking.pk)
    assert sent["form"]["amount"] == str(int(booking.total * 100))
    assert ledger_disagreements() == []


def stripe_event(**changes):
    intent = {"id": "pi_1", "object": "payment_intent", "status": "succeeded",
              "metadata": {"payment_id": "x"}}  # fmt: skip
    event = {"id": "evt_1", "object": "event", "type": "payment_intent.succeeded",
             "data": {"object": intent}}  # fmt: skip
    event.update(changes)
    return json.dumps(event).encode()


def test_webhook_signatures(fake_stripe):
    provider = provider_get()
    body = stripe_event()
    good = signature_header(body, secret="whsec_test_secret")
    event = provider.webhook_event(payload=body, signature=good)
    assert (event.id, event.reference, event.status) == ("evt_1", "pi_1", "succeeded")
    refused = [
        (body, signature_header(body, secret="whsec_other")),
        (
            body,
            signature_header(body, secret="whsec_test_secret", timestamp=int(time.time()) - 400),
        ),
        (stripe_event(type="payment_intent.payment_failed"), good),
        (body, "t=1,v1=deadbeef"),
        (body, ""),
    ]
    for payload, header in refused:
        with pytest.raises(WebhookRefused):
            provider.webhook_event(payload=payload, signature=header)


def test_webhooks_are_refused_without_a_configured_secret(fake_stripe, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    body = stripe_event()
    with pytest.raises(WebhookRefused):
        provider_get().webhook_event(payload=body, signature=signature_header(body, secret=""))
