"""The simulated provider: deterministic, offline, and a real implementation with its own books
(`payments.SimulatedOperation`), so `ledger_check` can ask it what it did.

It understands Stripe's test payment methods, honours idempotency keys as Stripe does (a repeated
key returns the first result, never a second charge), and emits Stripe-shaped events signed with
SIMULATED_WEBHOOK_SECRET the way Stripe signs them (`simulated_webhook`).
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum

from ..models import SimulatedOperation
from .base import (
    ChargeRequest,
    OperationResult,
    Provider,
    ProviderEvent,
    RefundRequest,
    TransferRequest,
)
from .events import event_verify_and_parse, minor_units, signature_header

Kind = SimulatedOperation.Kind

SUCCEEDING_METHODS = frozenset({"pm_card_visa", "pm_card_mastercard"})
DECLINES = {
    "pm_card_chargeDeclined": ("card_declined", "Your card was declined."),
    "pm_card_chargeDeclinedInsufficientFunds": (
        "insufficient_funds",
        "Your card has insufficient funds.",
    ),
    "pm_card_chargeDeclinedExpiredCard": ("expired_card", "Your card has expired."),
}
INVALID_METHOD = ("invalid_payment_method", "This payment method is not recognised.")
PREFIXES = {Kind.CHARGE: "pi_sim_", Kind.REFUND: "re_sim_", Kind.TRANSFER: "tr_sim_"}


def charge_outcome(payment_method: str) -> tuple[str, str] | None:
    """None when the method succeeds, else (failure code, message)."""
    if payment_method in SUCCEEDING_METHODS:
        return None
    return DECLINES.get(payment_method, INVALID_METHOD)


class SimulatedProvider(Provider):
    name = "simulated"

    def _charge(self, request: ChargeRequest) -> OperationResult:
        return _result(
            _record(
                Kind.CHARGE,
                request,
                target=request.payment_method,
                outcome=charge_outcome(request.payment_method),
            )
        )

    def _refund(self, request: RefundRequest) -> OperationResult:
        return _result(
            _record(
                Kind.REFUND,
                request,
                target=request.charge_reference,
                outcome=_refund_outcome(request),
            )
        )

    def _transfer(self, request: TransferRequest) -> OperationResult:
        outcome = None
        if not request.destination.startswith("acct_"):
            outcome = ("account_missing", "The host has no connected account to pay into.")
        elif request.destination == "acct_invalid":
            outcome = ("account_invalid", "The connected account cannot receive transfers.")
        return _result(_record(Kind.TRANSFER, request, target=request.destination, outcome=outcome))

    def webhook_event(self, *, payload: bytes, signature: str) -> ProviderEvent:
        return event_verify_and_parse(
            payload=payload, signature=signature, secret=settings.SIMULATED_WEBHOOK_SECRET
        )


def _refund_outcome(request: RefundRequest) -> tuple[str, str] | None:
    charge = SimulatedOperation.objects.filter(
        kind=Kind.CHARGE, reference=request.charge_reference, succeeded=True
    ).first()
    if charge is None:
        return ("charge_not_found", "No succeeded charge has this reference.")
    refunded = (
        SimulatedOperation.objects.filter(
            kind=Kind.REFUND, target=charge.reference, succeeded=True
        ).aggregate(total=Sum("amount_minor"))["total"]
        or 0
    )
    if refunded + minor_units(request.amount) > charge.amount_minor:
        return ("amount_too_large", "The refund exceeds what is left of the charge.")
    return None


def _record(kind, request, *, target: str, outcome) -> SimulatedOperation:
    """The operation under this idempotency key: the first call's, whatever came since."""
    key = request.idempotency_key
    existing = SimulatedOperation.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    code = outcome[0] if outcome else ""
    try:
        with transaction.atomic():
            return SimulatedOperation.objects.create(
                kind=kind,
                reference=PREFIXES[kind] + hashlib.sha256(key.encode()).hexdigest()[:24],
                idempotency_key=key,
                amount_minor=minor_units(request.amount),
                currency=request.currency,
                succeeded=outcome is None,
                failure_code=code,
                target=target,
                metadata=dict(request.metadata),
            )
    except IntegrityError:  # the same key raced us: its first call won
        return SimulatedOperation.objects.get(idempotency_key=key)


def _result(operation: SimulatedOperation) -> OperationResult:
    if operation.succeeded:
        return OperationResult(True, reference=operation.reference)
    code = operation.failure_code
    message = dict([*DECLINES.values(), INVALID_METHOD]).get(code, code.replace("_", " "))
    return OperationResult(
        False, reference=operation.reference, failure_code=code, failure_message=message
    )


# --- the events it emits ----------------------------------------------------------------------


def simulated_event_body(operation: SimulatedOperation) -> dict:
    """The Stripe-shaped event announcing `operation`'s outcome."""
    amount, currency = operation.amount_minor, operation.currency.lower()
    common = {"id": operation.reference, "amount": amount, "currency": currency}
    common["metadata"] = operation.metadata
    if operation.kind == Kind.CHARGE:
        ok = operation.succeeded
        kind = "payment_intent.succeeded" if ok else "payment_intent.payment_failed"
        obj = {
            **common,
            "object": "payment_intent",
            "status": "succeeded" if ok else "requires_payment_method",
            "payment_method": operation.target,
            "last_payment_error": None if ok else _last_error(operation),
        }
    elif operation.kind == Kind.REFUND:
        kind = "refund.updated"
        obj = {
            **common,
            "object": "refund",
            "status": "succeeded" if operation.succeeded else "failed",
            "payment_intent": operation.target,
            "failure_reason": operation.failure_code or None,
        }
    else:
        kind = "transfer.created" if operation.succeeded else "transfer.reversed"
        obj = {**common, "object": "transfer", "destination": operation.target}
        obj["reversed"] = not operation.succeeded
    event_id = "evt_sim_" + hashlib.sha256(f"{operation.reference}:{kind}".encode()).hexdigest()
    return {
        "id": event_id[:32],
        "object": "event",
        "type": kind,
        "created": int(operation.created_at.timestamp()),
        "data": {"object": obj},
    }


def _last_error(operation: SimulatedOperation) -> dict:
    result = _result(operation)
    return {
        "code": "card_declined",
        "decline_code": result.failure_code,
        "message": result.failure_message,
    }


def simulated_webhook(operation: SimulatedOperation, *, timestamp: int | None = None):
    """(body, Stripe-Signature header) of the event for `operation`, as it would be POSTed."""
    body = json.dumps(simulated_event_body(operation), separators=(",", ":")).encode()
    header = signature_header(body, secret=settings.SIMULATED_WEBHOOK_SECRET, timestamp=timestamp)
    return body, header


def simulated_totals() -> dict[tuple[str, str], Decimal]:
    """What the simulated provider did, per (currency, kind), in major units (succeeded only)."""
    rows = (
        SimulatedOperation.objects.filter(succeeded=True)
        .values_list("currency", "kind")
        .annotate(total=Sum("amount_minor"))
        .order_by()
    )
    return {(currency, kind): Decimal(total) / 100 for currency, kind, total in rows}
