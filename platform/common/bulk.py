"""Bulk inserts and updates through PostgreSQL's COPY, for writes of thousands of rows.

Django's `bulk_create` / `bulk_update` build one big parameterised statement per batch: for
10,000 rows of 30 columns that is 300,000 parameters adapted one by one, and `bulk_update`
adds a `CASE` per column and row that the database then scans linearly. COPY streams the
rows as text instead, and an update becomes COPY into a temporary table plus one
`UPDATE ... FROM`. Model instances go in as they are: auto-incremented primary keys are
taken from the table's sequence first (one query), so callers get their ids back as with
`bulk_create`. On other databases (SQLite in development) the ORM's bulk methods are used.

No signals are sent, as with `bulk_create` (history: common.history's bulk helpers).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import operator
import uuid
from collections.abc import Callable, Iterable, Sequence

from django.db import connections, models, router, transaction


def copy_supported(model, using: str | None = None) -> bool:
    alias = using or router.db_for_write(model)
    return connections[alias].vendor == "postgresql"


def copy_insert(model, objs: Sequence, *, using: str | None = None) -> Sequence:
    """Insert `objs` (unsaved instances of `model`) with COPY; returns them, primary keys set.

    Field defaults must already be on the instances (a model instance gets them when built);
    `auto_now`/`auto_now_add` dates are stamped here, as `bulk_create` does."""
    if not objs:
        return objs
    alias = using or router.db_for_write(model)
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return model._default_manager.using(alias).bulk_create(objs)
    fields = [f for f in model._meta.concrete_fields if not f.generated]
    now = None
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            now = now or _now()
            for obj in objs:
                if field.auto_now or getattr(obj, field.attname) is None:
                    setattr(obj, field.attname, now)
    with transaction.atomic(using=alias, savepoint=False):
        missing = [obj for obj in objs if obj.pk is None]
        if missing and isinstance(model._meta.pk, models.AutoField):
            for obj, pk in zip(
                missing, allocate_ids(model, len(missing), using=alias), strict=True
            ):
                obj.pk = pk
        _copy(
            connection, model._meta.db_table, fields, values_of(objs, [f.attname for f in fields])
        )
    for obj in objs:
        obj._state.adding = False
        obj._state.db = alias
    return objs


def copy_insert_values(
    model, columns: Sequence[str], rows: Iterable[Sequence], *, using: str | None = None
) -> None:
    """Insert plain rows (values in the order of `columns`, field attnames) with COPY: for
    rows nobody needs as model instances (history, link tables), whose construction would
    cost more than their writing. Columns left out take their database default."""
    alias = using or router.db_for_write(model)
    connection = connections[alias]
    if connection.vendor != "postgresql":
        model._default_manager.using(alias).bulk_create(
            [model(**dict(zip(columns, row, strict=True))) for row in rows]
        )
        return
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    _copy(connection, model._meta.db_table, [by_attname[name] for name in columns], rows)


def allocate_ids(model, count: int, *, using: str | None = None) -> list[int]:
    """`count` values of the auto-incremented primary key's sequence (identity or serial),
    in one query, so rows can reference each other before they are written."""
    if count <= 0:
        return []
    alias = using or router.db_for_write(model)
    connection = connections[alias]
    pk = model._meta.pk
    if connection.vendor != "postgresql":
        raise NotImplementedError("Sequences are PostgreSQL's; use bulk_create elsewhere.")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, pk.column, count],
        )
        return [value for (value,) in cursor.fetchall()]


def copy_update(model, objs: Sequence, fields: Iterable[str], *, using: str | None = None) -> int:
    """Write `fields` of `objs` (saved instances) in one `UPDATE ... FROM` a temporary table
    filled with COPY. Returns the number of rows updated."""
    names = list(fields)
    if not objs or not names:
        return 0
    alias = using or router.db_for_write(model)
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return model._default_manager.using(alias).bulk_update(objs, names)
    meta = model._meta
    pk = meta.pk
    columns = [meta.get_field(name) for name in names]
    for field in meta.concrete_fields:  # updated_at and the like, as save() would
        if getattr(field, "auto_now", False) and field not in columns:
            now = _now()
            for obj in objs:
                setattr(obj, field.attname, now)
            columns.append(field)
    quote = connection.ops.quote_name
    temp = f"bulk_update_{uuid.uuid4().hex[:12]}"
    table = quote(meta.db_table)
    with transaction.atomic(using=alias, savepoint=False), connection.cursor() as cursor:
        selected = ", ".join(quote(f.column) for f in [pk, *columns])
        cursor.execute(
            f"CREATE TEMPORARY TABLE {temp} ON COMMIT DROP AS "
            f"SELECT {selected} FROM {table} WITH NO DATA"
        )
        _copy(
            connection, temp, [pk, *columns], values_of(objs, [f.attname for f in [pk, *columns]])
        )
        assignments = ", ".join(f"{quote(f.column)} = s.{quote(f.column)}" for f in columns)
        cursor.execute(
            f"UPDATE {table} AS t SET {assignments} FROM {temp} AS s "
            f"WHERE t.{quote(pk.column)} = s.{quote(pk.column)}"
        )
        updated = cursor.rowcount
        cursor.execute(f"DROP TABLE {temp}")
    return updated


def values_of(objs: Iterable, attnames: Sequence[str]) -> Iterable[tuple]:
    """Each instance's values of `attnames`, read from its __dict__ in one C call (getattr
    through the field descriptors costs more than the COPY itself); deferred fields load."""
    pick = operator.itemgetter(*attnames) if len(attnames) > 1 else None
    for obj in objs:
        try:
            yield pick(obj.__dict__) if pick else (obj.__dict__[attnames[0]],)
        except KeyError:  # a deferred field: through its descriptor
            yield tuple(getattr(obj, name) for name in attnames)


def _now():
    from django.utils import timezone

    return timezone.now()


def _copy(connection, table: str, fields: Sequence, rows: Iterable[Sequence]) -> None:
    quote = connection.ops.quote_name
    convert = [_text_converter(field, connection) for field in fields]
    lines = [
        "\t".join(
            [
                "\\N" if value is None else to_text(value)
                for to_text, value in zip(convert, row, strict=True)
            ]
        )
        for row in rows
    ]
    if not lines:
        return
    data = "\n".join(lines) + "\n"
    sql = f"COPY {quote(table)} ({', '.join(quote(f.column) for f in fields)}) FROM STDIN"
    with connection.cursor() as cursor:
        raw = cursor.cursor
        if hasattr(raw, "copy_expert"):  # psycopg2
            raw.copy_expert(sql, io.StringIO(data))
        else:  # psycopg 3
            with raw.copy(sql) as copy:
                copy.write(data)


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _escape(text) -> str:
    """A value in COPY's text format: backslash, tab and line breaks escaped."""
    if type(text) is not str:
        text = str(text)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return text.translate(_ESCAPES)
    return text


def _text_converter(field, connection) -> Callable[[object], str]:
    internal = field.get_internal_type()
    if internal in ("CharField", "TextField", "SlugField", "EmailField", "URLField"):
        return _escape
    if internal == "BooleanField":
        return lambda value: "t" if value else "f"
    if internal in ("DateTimeField", "DateField", "TimeField"):
        return _temporal_converter()
    if internal == "JSONField":
        encoder = field.encoder
        return lambda value: _escape(json.dumps(value, cls=encoder))
    if internal == "UUIDField":
        return _uuid_converter()
    if internal in (
        "DecimalField",
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "PositiveBigIntegerField",
        "AutoField",
        "BigAutoField",
        "SmallAutoField",
        "FloatField",
    ):
        return str
    if field.is_relation:  # a foreign key: its target's column type
        return _text_converter(field.target_field, connection)

    def generic(value):
        prepared = field.get_db_prep_save(value, connection)
        return "\\N" if prepared is None else _escape(str(prepared))

    return generic


def _uuid_converter() -> Callable[[object], str]:
    """str() of UUIDs, once per object: a bulk write repeats the same ids (a listing's in its
    row, its history row and each of its amenity links). Keyed by identity (UUID's own hash is
    Python code), holding the object so its identity cannot be reused meanwhile."""
    seen: dict = {}

    def to_text(value) -> str:
        try:
            return seen[id(value)][1]
        except KeyError:
            text = str(value)
            seen[id(value)] = (value, text)
            return text

    return to_text


def _temporal_converter() -> Callable[[object], str]:
    last = [None, ""]  # a bulk write's rows often share one timestamp: format it once

    def to_text(value) -> str:
        if value is last[0]:
            return last[1]
        if isinstance(value, dt.datetime | dt.date | dt.time):
            text = value.isoformat()
        else:
            text = _escape(str(value))
        last[:] = [value, text]
        return text

    return to_text
