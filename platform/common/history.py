"""One configuration of django-simple-history for every domain model."""

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from simple_history.models import HistoricalRecords
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from .actor import current_actor, history_user
from .bulk import (
    allocate_ids,
    copy_insert,
    copy_insert_values,
    copy_supported,
    copy_update,
    values_of,
)
from .models import AuditedHistory


class AuditedRecords(HistoricalRecords):
    """HistoricalRecords that remembers which model it records, so a service can write one
    history row by hand after a multi-step change (see `save_as_one_change`)."""

    recorders: dict = {}

    def __init__(self, *args, m2m_no_db_index=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.m2m_no_db_index = list(m2m_no_db_index)

    def create_history_m2m_model(self, model, through_model):
        """`m2m_no_db_index` as `no_db_index`, for the historical through tables: their rows
        are only ever read by history row (`history_id`), and each index on the copied columns
        (through row id, both sides) is one more entry per link written."""
        kept = self.no_db_index
        self.no_db_index = [*kept, *self.m2m_no_db_index]
        try:
            return super().create_history_m2m_model(model, through_model)
        finally:
            self.no_db_index = kept

    def finalize(self, sender, **kwargs):
        super().finalize(sender, **kwargs)
        if sender is self.cls:
            AuditedRecords.recorders[sender] = self

    def get_meta_options(self, model):
        """An index on the actor label: the audit timeline filtered by a person reads
        `history_user_id = … OR history_actor = …`, and the OR can only use the user's index
        (a foreign key's) if the label has one too; without it every history table is read
        whole (160 ms at 100,000 bookings)."""
        meta = super().get_meta_options(model)
        meta["indexes"] = (*meta.get("indexes", ()), models.Index(fields=["history_actor"]))
        return meta

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


def bulk_create_audited(objs, model, *, copy: bool = False, m2m=None, **kwargs):
    """bulk_create with one history row per object, attributed to the current actor.

    `copy=True` writes the rows and their history with PostgreSQL's COPY (common.bulk; the
    ORM elsewhere), for thousands of rows. `m2m` records each history row's many-to-many
    state, which simple-history's bulk writes leave empty: {field name: {object pk: [through
    row as {attname: value}, ...]}}, the through rows already written; or a callable returning
    it, called once the rows are written (so it may write through rows that reference them:
    a deferred foreign key may have been made immediate)."""
    kwargs = _bulk_audit_kwargs(kwargs)
    if not (copy and copy_supported(model)):
        objs = bulk_create_with_history(objs, model, **kwargs)
        if m2m:
            _bulk_history_m2m(model, _latest_history(model, objs), m2m)
        return objs
    with transaction.atomic(savepoint=False):
        copy_insert(model, objs)
        _bulk_history(model, objs, "+", m2m, **kwargs)
    return objs


def bulk_update_audited(objs, model, fields, *, copy: bool = False, m2m=None, **kwargs):
    """bulk_update with one history row per object, attributed to the current actor
    (`copy` and `m2m` as for bulk_create_audited)."""
    kwargs = _bulk_audit_kwargs(kwargs)
    if not (copy and copy_supported(model)):
        updated = bulk_update_with_history(objs, model, fields, **kwargs)
        if m2m:
            _bulk_history_m2m(model, _latest_history(model, objs), m2m)
        return updated
    with transaction.atomic(savepoint=False):
        updated = copy_update(model, objs, fields)
        _bulk_history(model, objs, "~", m2m, **kwargs)
    return updated


def _bulk_history(
    model,
    objs,
    history_type: str,
    m2m,
    *,
    default_user=None,
    default_date=None,
    custom_historical_attrs=None,
    default_change_reason=None,
    batch_size=None,
):
    """The rows simple-history's bulk_history_create builds, written with COPY as plain
    values (building 10,000 historical instances costs more than writing them)."""
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True) or not objs:
        return
    historical = model.history.model
    tracked = [f.attname for f in historical.tracked_fields]
    extra = custom_historical_attrs or {}
    fixed = [
        default_date or timezone.now(),
        default_user.pk if default_user else None,
        history_type,
        default_change_reason or None,
        *extra.values(),
    ]
    ids = allocate_ids(historical, len(objs))
    columns = [
        "history_date",
        "history_user_id",
        "history_type",
        "history_change_reason",
        *extra,
        "history_id",
        *tracked,
    ]
    copy_insert_values(
        historical,
        columns,
        (
            (*fixed, history_id, *values)
            for history_id, values in zip(ids, values_of(objs, tracked), strict=True)
        ),
    )
    if m2m:
        _bulk_history_m2m(model, zip(ids, (obj.pk for obj in objs), strict=True), m2m)


def _latest_history(model, objs) -> list[tuple]:
    """(history id, object pk) of the newest history row of each object."""
    latest = {}
    rows = model.history.model.objects.filter(id__in=[obj.pk for obj in objs])
    for history_id, pk in rows.order_by("history_date", "history_id").values_list(
        "history_id", "id"
    ):
        latest[pk] = history_id
    return [(history_id, pk) for pk, history_id in latest.items()]


def _bulk_history_m2m(model, records, m2m) -> None:
    """For each (history id, object pk) in `records`, the object's through rows of each m2m
    field, as simple-history records them for a single save."""
    m2m = m2m() if callable(m2m) else m2m
    historical = model.history.model
    records = list(records)
    for field_name, rows_by_pk in m2m.items():
        m2m_history = getattr(historical, field_name).model
        through = model._meta.get_field(field_name).remote_field.through
        names = [f.attname for f in through._meta.concrete_fields]
        copy_insert_values(
            m2m_history,
            ["history_id", *names],
            (
                [history_id, *[row[name] for name in names]]
                for history_id, pk in records
                for row in rows_by_pk.get(pk, ())
            ),
        )
