"""One configuration of django-simple-history for every domain model."""

from simple_history.models import HistoricalRecords
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from .actor import current_actor, history_user
from .models import AuditedHistory


class AuditedRecords(HistoricalRecords):
    """HistoricalRecords that remembers which model it records, so a service can write one
    history row by hand after a multi-step change (see `save_as_one_change`)."""

    recorders: dict = {}

    def finalize(self, sender, **kwargs):
        super().finalize(sender, **kwargs)
        if sender is self.cls:
            AuditedRecords.recorders[sender] = self

    def m2m_changed(self, instance, action, attr, pk_set, reverse, **kwargs):
        """Also from the other side (`group.user_set.add(user)`): each recorded object the
        change touched gets its history row (simple-history would try to record the group)."""
        if not reverse:
            return super().m2m_changed(instance, action, attr, pk_set, reverse, **kwargs)
        if action in ("post_add", "post_remove") and pk_set:
            for obj in self.cls._default_manager.filter(pk__in=pk_set):
                super().m2m_changed(obj, action, attr, pk_set, False, **kwargs)


def audited(**kwargs) -> HistoricalRecords:
    """`history = audited()` on a model records every change with actor and IP."""
    kwargs.setdefault("bases", [AuditedHistory])
    kwargs.setdefault("get_user", history_user)
    kwargs.setdefault("cascade_delete_history", False)
    return AuditedRecords(**kwargs)


def save_as_one_change(instance, *, created: bool, then=None) -> None:
    """Save `instance`, run `then()` (e.g. set its many-to-many fields), and record it all as
    ONE history row. Without this, every m2m add/remove would add a row of its own, showing
    half-applied states that never existed."""
    instance.skip_history_when_saving = True
    try:
        instance.save()
        if then is not None:
            then()
    finally:
        del instance.skip_history_when_saving
    AuditedRecords.recorders[type(instance)].create_historical_record(
        instance, "+" if created else "~"
    )


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
