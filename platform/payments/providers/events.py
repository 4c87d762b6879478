"""Stripe-shaped webhook events: signing (the simulated provider signs what it emits the way
Stripe does) and verifying + parsing, with the official SDK, for both adapters."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import stripe
from django.conf import settings

from .base import ProviderEvent, WebhookRefused


def signature_header(payload: bytes, *, secret: str, timestamp: int | None = None) -> str:
    """The `Stripe-Signature` header Stripe would send with `payload`."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def event_verify_and_parse(*, payload: bytes, signature: str, secret: str) -> ProviderEvent:
    """Refuse a bad or stale (older than the tolerance) signature; parse the event."""
    if not secret:
        raise WebhookRefused("No webhook secret is configured for this provider.")
    try:
        stripe.Webhook.construct_event(
            payload, signature or "", secret, tolerance=settings.PAYMENT_WEBHOOK_TOLERANCE_SECONDS
        )
        body = json.loads(payload)
        return event_parse(body)
    except stripe.SignatureVerificationError as error:
        raise WebhookRefused(f"Signature refused: {error.user_message or error}") from None
    except (ValueError, TypeError, KeyError, AttributeError):
        raise WebhookRefused("The event is not a well-formed provider event.") from None


def event_parse(body: dict) -> ProviderEvent:
    obj = body["data"]["object"]
    kind = str(obj["object"])
    status, code, message = str(obj.get("status") or ""), "", ""
    if kind == "payment_intent":
        error = obj.get("last_payment_error") or {}
        code = str(error.get("decline_code") or error.get("code") or "")
        message = str(error.get("message") or "")
        if body["type"] == "payment_intent.payment_failed":
            status = "failed"
    elif kind == "refund":
        code = str(obj.get("failure_reason") or "")
    elif kind == "transfer":
        status = "failed" if obj.get("reversed") else "succeeded"
    return ProviderEvent(
        id=str(body["id"]),
        type=str(body["type"]),
        object_type=kind,
        reference=str(obj["id"]),
        status=status,
        metadata={str(k): str(v) for k, v in (obj.get("metadata") or {}).items()},
        failure_code=code,
        failure_message=message,
        payload=body,
    )


def minor_units(amount) -> int:
    """Every supported currency has two decimals: cents."""
    return int((amount * 100).to_integral_value())
