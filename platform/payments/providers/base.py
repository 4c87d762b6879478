"""The one interface every payment provider implements.

Amounts cross the interface as Decimal in major units; each adapter converts (Stripe wants
minor units). Every request carries an idempotency key derived from our own record's id
(`staybook-payment-<id>`), so a retried call can never charge, refund or transfer twice.

A card refusal is a result (`succeeded=False` with a code), not an exception: it is an answer.
`ProviderUnavailable` means we do not know the outcome (network, 5xx): retry with the same key.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connections

from common.errors import DomainError


class ProviderUnavailable(Exception):
    """The provider could not be reached or failed; the outcome is unknown: retry."""


class ProviderCalledInTransaction(RuntimeError):
    """A provider call inside a database transaction would hold locks for a network round trip
    and could charge for a write that then rolls back."""


class WebhookRefused(DomainError):
    kind = "invalid"

    def __init__(self, message: str):
        super().__init__("webhook_refused", message)


@dataclass(frozen=True)
class ChargeRequest:
    amount: Decimal
    currency: str
    payment_method: str
    idempotency_key: str
    metadata: dict = field(default_factory=dict)
    description: str = ""


@dataclass(frozen=True)
class RefundRequest:
    charge_reference: str
    amount: Decimal
    currency: str
    idempotency_key: str
    metadata: dict = field(default_factory=dict)


@dataclass(frozen=True)
class TransferRequest:
    destination: str
    amount: Decimal
    currency: str
    idempotency_key: str
    metadata: dict = field(default_factory=dict)


@dataclass(frozen=True)
class OperationResult:
    succeeded: bool
    reference: str = ""
    failure_code: str = ""
    failure_message: str = ""


@dataclass(frozen=True)
class ProviderEvent:
    """A verified webhook event, reduced to what reconciliation needs."""

    id: str
    type: str
    object_type: str  # payment_intent, refund, transfer
    reference: str  # the provider's id of that object
    status: str  # succeeded, failed, ...
    metadata: dict
    failure_code: str = ""
    failure_message: str = ""
    payload: dict = field(default_factory=dict)


def ensure_outside_transaction(using: str = "default") -> None:
    """Refuse to call out from inside an atomic block. The test suite's own wrapping
    transaction (marked by Django's TestCase) does not count."""
    blocks = connections[using].atomic_blocks
    if any(not getattr(block, "_from_testcase", False) for block in blocks):
        raise ProviderCalledInTransaction("Payment providers are never called in a transaction.")


class Provider(abc.ABC):
    """Adapters implement the underscored steps; the public methods add the guards."""

    name = ""

    def charge(self, request: ChargeRequest) -> OperationResult:
        ensure_outside_transaction()
        return self._charge(request)

    def refund(self, request: RefundRequest) -> OperationResult:
        ensure_outside_transaction()
        return self._refund(request)

    def transfer(self, request: TransferRequest) -> OperationResult:
        ensure_outside_transaction()
        return self._transfer(request)

    @abc.abstractmethod
    def webhook_event(self, *, payload: bytes, signature: str) -> ProviderEvent:
        """Verify the signature (and its 5-minute tolerance) and parse; WebhookRefused if not."""

    @abc.abstractmethod
    def _charge(self, request: ChargeRequest) -> OperationResult: ...

    @abc.abstractmethod
    def _refund(self, request: RefundRequest) -> OperationResult: ...

    @abc.abstractmethod
    def _transfer(self, request: TransferRequest) -> OperationResult: ...
