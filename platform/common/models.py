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
