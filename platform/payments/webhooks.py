"""Provider webhooks: verify, store each event once, reconcile our records with it.

Reconciling goes through the same services as the synchronous path, which change a record only
from its in-flight status (`processing`, `pending`). So a duplicate delivery, a late event or
one that arrives after a newer one changes nothing twice.
"""

from __future__ import annotations

import logging
import uuid

from django.db import transaction
from django.utils import timezone

from common.actor import acting_as
from common.errors import NotFound

from . import services
from .models import Payment, Refund, WebhookEvent
from .providers import PROVIDERS, OperationResult, ProviderEvent, WebhookRefused, provider_get

log = logging.getLogger(__name__)

MAX_PAYLOAD_BYTES = 256 * 1024


def webhook_receive(*, provider_name: str, payload: bytes, signature: str) -> WebhookEvent:
    """Verify (WebhookRefused if the signature or its age is wrong), store once, reconcile."""
    if provider_name not in PROVIDERS:
        raise NotFound()
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise WebhookRefused("The event is too large.")
    event = provider_get(provider_name).webhook_event(payload=payload, signature=signature)
    with acting_as(f"webhook:{provider_name}"), transaction.atomic():
        record, _created = WebhookEvent.objects.get_or_create(
            provider=provider_name,
            event_id=event.id[:255],
            defaults={"type": event.type[:100], "payload": event.payload},
        )
        record = WebhookEvent.objects.select_for_update().get(pk=record.pk)
        if record.processed_at is not None:
            return record  # a redelivery: done already
        _reconcile(event)
        record.processed_at = timezone.now()
        record.save(update_fields=["processed_at", "updated_at"])
        return record


def _reconcile(event: ProviderEvent) -> None:
    if event.status not in ("succeeded", "failed"):
        return  # an intermediate state: the final event will follow
    result = OperationResult(
        event.status == "succeeded",
        reference=event.reference,
        failure_code=event.failure_code,
        failure_message=event.failure_message,
    )
    if event.object_type == "payment_intent":
        payment = _find(Payment, event, "payment_id")
        if payment is not None:
            services.payment_record_result(payment=payment, result=result)
    elif event.object_type == "refund":
        refund = _find(Refund, event, "refund_id")
        if refund is not None:
            services.refund_record_result(refund=refund, result=result)


def _find(model, event: ProviderEvent, metadata_key: str):
    """Our record the event is about: by the id we sent as metadata, else by reference."""
    try:
        pk = uuid.UUID(event.metadata.get(metadata_key, ""))
        found = model.objects.filter(pk=pk).first()
    except ValueError:
        found = None
    found = found or model.objects.filter(provider_reference=event.reference).first()
    if found is None:
        log.warning("webhook %s: no %s for %s", event.id, model.__name__, event.reference)
    return found
