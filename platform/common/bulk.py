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
import itertools
import json
import operator
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence

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
        # The sequence is looked up once (pg_get_serial_sequence reads the catalogue: per row,
        # as a stable function in the select list, it was 85% of the query's time).
        cursor.execute(
            "WITH s AS MATERIALIZED (SELECT pg_get_serial_sequence(%s, %s)::regclass AS seq) "
            "SELECT nextval(s.seq) FROM s, generate_series(1, %s)",
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


def values_of(objs: Iterable, attnames: Sequence[str]) -> list[tuple]:
    """Each instance's values of `attnames`, read from its __dict__ in one C call (getattr
    through the field descriptors costs more than the COPY itself); deferred fields load.
    A list, read before any COPY starts: a deferred field's query cannot run during one."""
    pick = operator.itemgetter(*attnames) if len(attnames) > 1 else None
    values = []
    for obj in objs:
        try:
            values.append(pick(obj.__dict__) if pick else (obj.__dict__[attnames[0]],))
        except KeyError:  # a deferred field: through its descriptor
            values.append(tuple(getattr(obj, name) for name in attnames))
    return values


def _now():
    from django.utils import timezone

    return timezone.now()


COPY_CHUNK_ROWS = 1000


def _copy(connection, table: str, fields: Sequence, rows: Iterable[Sequence]) -> None:
    """COPY `rows` into `table`, streamed: the text of each chunk of rows is made while the
    database is still writing the previous ones (two processes at work, not one after the
    other), and converted a column at a time (a column's values mostly go through one C call:
    `str` over numbers, one test for the characters text would need escaped)."""
    quote = connection.ops.quote_name
    convert = [_column_converter(field, connection) for field in fields]
    chunks = _text_chunks(convert, rows)
    first = next(chunks, None)
    if first is None:
        return
    sql = f"COPY {quote(table)} ({', '.join(quote(f.column) for f in fields)}) FROM STDIN"
    with connection.cursor() as cursor:
        raw = cursor.cursor
        if hasattr(raw, "copy_expert"):  # psycopg2: reads the "file" until it returns ""
            raw.copy_expert(sql, _Chunks(first, chunks))
        else:  # psycopg 3
            with raw.copy(sql) as copy:
                copy.write(first)
                for chunk in chunks:
                    copy.write(chunk)


class _Chunks:
    """A file-like reader over text chunks, for psycopg2's copy_expert (which asks for a size
    and sends whatever it gets)."""

    def __init__(self, first: str, rest: Iterator[str]):
        self._next: str | None = first
        self._rest = rest

    def read(self, size: int = -1) -> str:
        chunk, self._next = self._next, None
        if chunk is None:
            chunk = next(self._rest, "")
        return chunk

    readline = read


def _text_chunks(convert: list, rows: Iterable[Sequence]) -> Iterator[str]:
    """COPY text of `rows`, COPY_CHUNK_ROWS rows per chunk."""
    rows = iter(rows)
    while batch := list(itertools.islice(rows, COPY_CHUNK_ROWS)):
        values = zip(*batch, strict=True)  # a tuple per column
        columns = [to_text(column) for to_text, column in zip(convert, values, strict=True)]
        yield "\n".join(map("\t".join, zip(*columns, strict=True))) + "\n"


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_NULL = "\\N"


def _escape(text) -> str:
    """A value in COPY's text format: backslash, tab and line breaks escaped."""
    if type(text) is not str:
        text = str(text)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return text.translate(_ESCAPES)
    return text


def _has_null(column: Sequence) -> bool:
    """Whether a value is None, by identity (`None in column` would call each value's __eq__,
    Python code for a UUID)."""
    return any(map(operator.is_, column, itertools.repeat(None)))


def _per_value(to_text: Callable[[object], str]) -> Callable[[Sequence], list[str]]:
    def column_text(column: Sequence) -> list[str]:
        return [_NULL if value is None else to_text(value) for value in column]

    return column_text


def _plain(column: Sequence) -> Sequence[str]:
    """Numbers: their str() needs no escaping."""
    if _has_null(column):
        return [_NULL if value is None else str(value) for value in column]
    return list(map(str, column))


def _text(column: Sequence) -> Sequence[str]:
    """Text: as it is unless a value holds a character COPY escapes (one search of the
    column's values joined, not four per value)."""
    if _has_null(column):
        return [_NULL if value is None else _escape(value) for value in column]
    try:
        joined = "\x00".join(column)
    except TypeError:  # not all str (a lazy translation, a number): one at a time
        return [_escape(value) for value in column]
    if "\\" in joined or "\t" in joined or "\n" in joined or "\r" in joined:
        return [_escape(value) for value in column]
    return column


_BOOLEANS = {True: "t", False: "f", None: _NULL}


def _boolean(column: Sequence) -> Sequence[str]:
    try:
        return list(map(_BOOLEANS.__getitem__, column))
    except KeyError:  # truthy values other than True/1
        return [_NULL if value is None else "t" if value else "f" for value in column]


def _column_converter(field, connection) -> Callable[[Sequence], Sequence[str]]:
    """The converter of a column's values (a sequence) to their COPY text."""
    internal = field.get_internal_type()
    if internal in ("CharField", "TextField", "SlugField", "EmailField", "URLField"):
        return _text
    if internal == "BooleanField":
        return _boolean
    if internal in _NUMBERS:
        return _plain
    if internal in ("DateTimeField", "DateField", "TimeField"):
        return _per_value(_temporal_converter())
    if internal == "UUIDField":
        return _per_value(_uuid_converter())
    if field.is_relation:  # a foreign key: its target's column type
        return _column_converter(field.target_field, connection)
    return _per_value(_text_converter(field, connection))


_NUMBERS = (
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
)


def _text_converter(field, connection) -> Callable[[object], str]:
    """The converter of one value (not None) to its COPY text."""
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
    if internal in _NUMBERS:
        return str
    if field.is_relation:  # a foreign key: its target's column type
        return _text_converter(field.target_field, connection)

    def generic(value):
        prepared = field.get_db_prep_save(value, connection)
        return _NULL if prepared is None else _escape(str(prepared))

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
