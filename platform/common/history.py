"""One configuration of django-simple-history for every domain model."""

from simple_history.models import HistoricalRecords

from .actor import history_user
from .models import AuditedHistory


def audited(**kwargs) -> HistoricalRecords:
    """`history = audited()` on a model records every change with actor and IP."""
    kwargs.setdefault("bases", [AuditedHistory])
    kwargs.setdefault("get_user", history_user)
    kwargs.setdefault("cascade_delete_history", False)
    return HistoricalRecords(**kwargs)
