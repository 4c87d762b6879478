"""Idempotency keys: a retried request with the same key and body replays the first response.

Shared by REST and GraphQL (and payments), so a client gets the same guarantee through either.
The record is committed as "in progress" before the work runs: a concurrent repeat sees it and
gets a conflict instead of doing the work twice.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .errors import DomainError, ValidationFailed
from .models import IdempotencyRecord

MAX_KEY_LENGTH = 255


class IdempotencyKeyReused(DomainError):
    kind = "unprocessable"  # 422

    def __init__(self):
        super().__init__(
            "idempotency_key_reused",
            "This idempotency key was already used with a different request.",
        )


class IdempotencyInProgress(DomainError):
    kind = "conflict"  # 409
    # The first request is typically done within a second; interfaces pass this on (REST's
    # Retry-After header) so a client knows when to repeat the request.
    retry_after = 1

    def __init__(self):
        super().__init__(
            "idempotency_in_progress", "A request with this idempotency key is still running."
        )


def idempotency_key_check(key: str | None) -> str | None:
    """None is "no key"; a key given (REST's header, GraphQL's argument) is 1 to 255
    characters and not blank, else `idempotency_key_invalid` (400)."""
    if key is not None and not (key.strip() and len(key) <= MAX_KEY_LENGTH):
        raise ValidationFailed(
            "idempotency_key_invalid",
            f"An idempotency key is 1 to {MAX_KEY_LENGTH} characters, not blank.",
            "idempotency_key",
        )
    return key


def fingerprint(payload) -> str:
    canonical = json.dumps(payload, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def ttl() -> timedelta:
    return timedelta(hours=getattr(settings, "IDEMPOTENCY_KEY_TTL_HOURS", 24))


def abandoned_after() -> timedelta:
    """An in-progress record older than this belongs to a request that died."""
    return timedelta(seconds=getattr(settings, "IDEMPOTENCY_ABANDONED_SECONDS", 300))


def run_idempotent(
    *, user, scope: str, key: str | None, payload, execute: Callable[[], tuple[int, Any]]
) -> tuple[int, Any, bool]:
    """Run `execute` once per (user, scope, key). Returns (status, body, replayed)."""
    if idempotency_key_check(key) is None:
        status, body = execute()
        return status, body, False
    digest = fingerprint(payload)
    record = _claim(user, scope, key, digest)
    if record.state == IdempotencyRecord.State.DONE:
        assert record.response_status is not None  # a finished record holds its response
        return record.response_status, record.response_body, True
    try:
        status, body = execute()
    except BaseException:
        record.delete()  # nothing was stored: the client may retry with the same key
        raise
    record.state = IdempotencyRecord.State.DONE
    record.response_status = status
    record.response_body = json.loads(json.dumps(body, default=str))
    record.save(update_fields=["state", "response_status", "response_body"])
    return status, body, False


def _claim(user, scope, key, digest) -> IdempotencyRecord:
    """Create the in-progress record, or return the finished one; raise on misuse."""
    for _attempt in range(2):
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(
                    user=user, scope=scope, key=key, fingerprint=digest
                )
        except IntegrityError:
            existing = IdempotencyRecord.objects.filter(user=user, scope=scope, key=key).first()
            if existing is None:
                continue  # deleted meanwhile (failed first attempt): claim again
            if existing.created_at < timezone.now() - ttl():
                existing.delete()
                continue
            if existing.fingerprint != digest:
                raise IdempotencyKeyReused() from None
            if existing.state == IdempotencyRecord.State.IN_PROGRESS:
                if existing.created_at < timezone.now() - abandoned_after():
                    existing.delete()  # its worker died mid-request: let the key be retried
                    continue
                raise IdempotencyInProgress() from None
            return existing
    raise IdempotencyInProgress()


def idempotency_purge_expired() -> int:
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - ttl()).delete()
    return deleted
