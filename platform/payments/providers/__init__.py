"""Payment providers behind one interface (see base.py); `provider_get()` returns the one
chosen by the PAYMENT_PROVIDER setting (simulated by default, or stripe)."""

from django.conf import settings
from django.utils.module_loading import import_string

from .base import (
    ChargeRequest,
    OperationResult,
    Provider,
    ProviderCalledInTransaction,
    ProviderEvent,
    ProviderUnavailable,
    RefundRequest,
    TransferRequest,
    WebhookRefused,
)

PROVIDERS = {
    "simulated": "payments.providers.simulated.SimulatedProvider",
    "stripe": "payments.providers.stripe_adapter.StripeProvider",
}

__all__ = [
    "ChargeRequest",
    "OperationResult",
    "Provider",
    "ProviderCalledInTransaction",
    "ProviderEvent",
    "ProviderUnavailable",
    "RefundRequest",
    "TransferRequest",
    "WebhookRefused",
    "provider_get",
    "PROVIDERS",
]


def provider_get(name: str | None = None) -> Provider:
    """The configured provider, or the one named (a payment is refunded by its own)."""
    name = name or settings.PAYMENT_PROVIDER
    if name not in PROVIDERS:
        raise WebhookRefused(f"Unknown payment provider {name!r}.")
    return import_string(PROVIDERS[name])()
