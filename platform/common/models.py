import uuid

from django.db import models


class BaseModel(models.Model):
    """Every domain row: a UUID public identifier (the only id that leaves the database) and
    creation/update timestamps."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class AuditedHistory(models.Model):
    """Extra columns on every historical table: who (as text, survives user deletion) and from
    where. Filled by common.audit_signals."""

    history_actor = models.CharField(max_length=200, blank=True, default="")
    history_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        abstract = True


class IdempotencyRecord(models.Model):
    """A client's idempotency key and the response it got, so a retry replays it (24 h+)."""

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=100, help_text="The operation, e.g. booking_create.")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the request body.")
    state = models.CharField(max_length=12, choices=State.choices, default=State.IN_PROGRESS)
    response_status = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "scope", "key"], name="idempotency_unique_key")
        ]

    def __str__(self):
        return f"{self.scope}:{self.key}"
