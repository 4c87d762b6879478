"""Stripe, through the official SDK: PaymentIntents created and confirmed server-side with the
guest's payment method, Refunds of them, Transfers to the host's connected account, and
`stripe.Webhook.construct_event` for signatures. Every call carries our idempotency key.

STRIPE_API_BASE (empty: Stripe's own) lets the tests point the SDK at a local fake server.
"""

from __future__ import annotations

import stripe
from django.conf import settings

from .base import (
    ChargeRequest,
    OperationResult,
    Provider,
    ProviderEvent,
    ProviderUnavailable,
    RefundRequest,
    TransferRequest,
)
from .events import event_verify_and_parse, minor_units

# We do not know the outcome of these: retry later with the same idempotency key.
UNKNOWN_OUTCOME = (
    stripe.APIConnectionError,
    stripe.RateLimitError,
    stripe.APIError,
    stripe.AuthenticationError,
    stripe.PermissionError,
    stripe.IdempotencyError,
)


class StripeProvider(Provider):
    name = "stripe"

    def __init__(self):
        base = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None
        self.client = stripe.StripeClient(
            settings.STRIPE_API_KEY or "sk_missing",
            base_addresses=base,
            max_network_retries=settings.STRIPE_MAX_NETWORK_RETRIES,
        )

    def _charge(self, request: ChargeRequest) -> OperationResult:
        params = {
            "amount": minor_units(request.amount),
            "currency": request.currency.lower(),
            "payment_method": request.payment_method,
            "confirm": True,
            # Server-side confirmation: no redirect-based methods, which need a return URL.
            "automatic_payment_methods": {"enabled": True, "allow_redirects": "never"},
            "metadata": request.metadata,
        }
        if request.description:
            params["description"] = request.description
        intent = self._call(self.client.v1.payment_intents.create, params, request)
        if isinstance(intent, OperationResult):
            return intent
        if intent.status == "succeeded":
            return OperationResult(True, reference=intent.id)
        if intent.status == "processing":
            raise ProviderUnavailable(f"PaymentIntent {intent.id} is still processing.")
        return OperationResult(
            False,
            reference=intent.id,
            failure_code="authentication_required",
            failure_message="This card needs an authentication step the API cannot perform.",
        )

    def _refund(self, request: RefundRequest) -> OperationResult:
        params = {
            "payment_intent": request.charge_reference,
            "amount": minor_units(request.amount),
            "metadata": request.metadata,
        }
        refund = self._call(self.client.v1.refunds.create, params, request)
        if isinstance(refund, OperationResult):
            return refund
        if refund.status in ("succeeded", "pending"):
            # A pending refund was accepted; Stripe does not take it back (the webhook tells).
            return OperationResult(True, reference=refund.id)
        return OperationResult(
            False,
            reference=refund.id,
            failure_code=refund.failure_reason or "refund_failed",
            failure_message="The refund failed.",
        )

    def _transfer(self, request: TransferRequest) -> OperationResult:
        params = {
            "amount": minor_units(request.amount),
            "currency": request.currency.lower(),
            "destination": request.destination,
            "metadata": request.metadata,
        }
        transfer = self._call(self.client.v1.transfers.create, params, request)
        if isinstance(transfer, OperationResult):
            return transfer
        return OperationResult(True, reference=transfer.id)

    def webhook_event(self, *, payload: bytes, signature: str) -> ProviderEvent:
        return event_verify_and_parse(
            payload=payload, signature=signature, secret=settings.STRIPE_WEBHOOK_SECRET
        )

    @staticmethod
    def _call(method, params: dict, request):
        """Call with the idempotency key; a refusal becomes a failed result."""
        try:
            return method(params=params, options={"idempotency_key": request.idempotency_key})
        except stripe.CardError as error:
            return _refused(error, default="card_declined")
        except stripe.InvalidRequestError as error:
            return _refused(error, default="invalid_request")
        except UNKNOWN_OUTCOME as error:
            raise ProviderUnavailable(f"Stripe: {error.user_message or error}") from error


def _refused(error: stripe.StripeError, *, default: str) -> OperationResult:
    body = (error.json_body or {}).get("error") or {}
    intent = body.get("payment_intent") or {}
    return OperationResult(
        False,
        reference=str(intent.get("id", "")) if isinstance(intent, dict) else "",
        failure_code=str(body.get("decline_code") or body.get("code") or error.code or default),
        failure_message=str(body.get("message") or error.user_message or "Refused by Stripe."),
    )
