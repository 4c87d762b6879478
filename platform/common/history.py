"""One configuration of django-simple-history for every domain model."""

from simple_history.models import HistoricalRecords
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from .actor import current_actor, history_user
from .models import AuditedHistory


def audited(**kwargs) -> HistoricalRecords:
    """`history = audited()` on a model records every change with actor and IP."""
    kwargs.setdefault("bases", [AuditedHistory])
    kwargs.setdefault("get_user", history_user)
    kwargs.setdefault("cascade_delete_history", False)
    return HistoricalRecords(**kwargs)


def _bulk_audit_kwargs(kwargs: dict) -> dict:
    """Bulk writes bypass the per-row signal: pass the current actor explicitly."""
    actor = current_actor()
    if actor is not None:
        if actor.user is not None:
            kwargs.setdefault("default_user", actor.user)
        kwargs.setdefault(
            "custom_historical_attrs", {"history_actor": actor.label, "history_ip": actor.ip}
        )
    return kwargs


def bulk_create_audited(objs, model, **kwargs):
    """bulk_create with one history row per object, attributed to the current actor."""
    return bulk_create_with_history(objs, model, **_bulk_audit_kwargs(kwargs))


def bulk_update_audited(objs, model, fields, **kwargs):
    """bulk_update with one history row per object, attributed to the current actor."""
    return bulk_update_with_history(objs, model, fields, **_bulk_audit_kwargs(kwargs))
