"""Loading many rows fast, each with its history row: benchmark data (`seed_demo --listings N
--bookings M`), never the demo itself.

Rows are plain dictionaries completed from the models' own field lists and defaults (a field
added to a model later gets its default here too, or the load fails loudly if it has none),
buffered per table and written in batches: PostgreSQL's COPY, `bulk_create` elsewhere. Nothing
is kept after a flush, so memory stays flat however many rows are loaded.

Each row of an audited model gets the history row `bulk_create_audited` would write (type "+",
the current actor, its many-to-many snapshot), without building two model instances per row.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import queue
import threading
import uuid
from collections.abc import Callable
from decimal import Decimal
from uuid import UUID

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.db.models.fields import NOT_PROVIDED
from django.utils import timezone

from common.actor import current_actor

AUTO = (models.AutoField, models.BigAutoField, models.SmallAutoField)


ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value) -> str:
    """One value in COPY's text format (NULL is \\N; backslash, tab and newlines escaped)."""
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, dict | list):
        text = json.dumps(value, cls=DjangoJSONEncoder)
    elif isinstance(value, dt.date):  # datetimes too
        text = value.isoformat()
    elif isinstance(value, str | int | float | Decimal | UUID):
        text = str(value)
    else:
        raise TypeError(f"no COPY text for {type(value).__name__}")
    return text.translate(ESCAPES)


_json_texts: dict[int, str] = {}  # id(dict) -> its COPY text, while one flush writes it


def _json(value) -> str:
    """A JSON value; the same dict (a booking's snapshot and its history row's, the one policy
    snapshot of thousands of stays) is serialised once per flush."""
    key = id(value)
    text = _json_texts.get(key)
    if text is None:
        text = _json_texts[key] = copy_text(value)
    return text


def uuid4_text() -> str:
    """A random (version 4) UUID as text: what uuid.uuid4() gives, without building an object
    per row of a million-row load."""
    raw = bytearray(os.urandom(16))
    raw[6] = (raw[6] & 0x0F) | 0x40
    raw[8] = (raw[8] & 0x3F) | 0x80
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _plain(value) -> str:
    return r"\N" if value is None else str(value)


def _date(value) -> str:
    return r"\N" if value is None else value.isoformat()


def converter(field) -> Callable[[object], str]:
    """The fastest exact way to write `field`'s values: numbers, ids and dates need no
    escaping; anything else goes through copy_text."""
    if isinstance(field, models.UUIDField | models.IntegerField | models.DecimalField) or (
        isinstance(field, models.ForeignKey)
        and isinstance(field.target_field, models.UUIDField | models.IntegerField)
    ):
        return _plain
    if isinstance(field, models.DateField):  # and DateTimeField
        return _date
    if isinstance(field, models.JSONField):
        return _json
    return copy_text


class Table:
    """Buffered rows of one model; columns in the model's order, defaults filled in."""

    def __init__(self, model, now: dt.datetime, writer: CopyWriter | None = None):
        self.model = model
        self.writer = writer
        self.fields = list(model._meta.concrete_fields)
        self.auto = [f.attname for f in self.fields if isinstance(f, AUTO)]
        self.names = frozenset(f.attname for f in self.fields)
        self.constant: dict[str, object] = {}
        self.computed: dict[str, Callable[[], object]] = {}
        for f in self.fields:
            if isinstance(f, AUTO):
                continue  # the database numbers it unless the row says otherwise
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                self.constant[f.attname] = now
            elif f.default is uuid.uuid4:
                self.computed[f.attname] = uuid4_text
            elif f.default is not NOT_PROVIDED and callable(f.default):
                self.computed[f.attname] = f.get_default  # timezone.now, dict ...
            else:
                # Django's own rule: the default, else "" for text that cannot be null, else
                # None, which only a nullable column takes (otherwise the row must say).
                default = f.get_default()
                if default is not None or f.null:
                    self.constant[f.attname] = default
        self.rows: list[dict] = []

    def add(self, values: dict) -> dict:
        if not self.names.issuperset(values):
            raise ValueError(f"{self.model.__name__} has no {sorted(set(values) - self.names)}")
        row = {**self.constant, **values}
        for name, default in self.computed.items():
            if name not in row:
                row[name] = default()
        self.rows.append(row)
        return row

    def flush(self) -> int:
        count = len(self.rows)
        # Rows that number an auto field themselves and rows that leave it to the database go
        # in separate statements (a COPY names the same columns for every row).
        groups: dict[tuple, list[dict]] = {}
        for row in self.rows:
            numbered = tuple(name in row for name in self.auto)
            groups.setdefault(numbered, []).append(row)
        for rows in groups.values():
            self._write(rows)
        self.rows.clear()
        return count

    def _write(self, rows: list[dict]) -> None:
        fields = [f for f in self.fields if f.attname in rows[0]]
        missing = [
            f.attname for f in self.fields if f.attname not in rows[0] and not isinstance(f, AUTO)
        ]
        if missing:
            raise ValueError(f"{self.model.__name__}: no value nor default for {missing}")
        if self.writer is None:
            self.model.objects.bulk_create([self.model(**row) for row in rows], batch_size=500)
            return
        columns = [(f.attname, converter(f)) for f in fields]
        buffer = io.StringIO()
        write = buffer.write
        for row in rows:
            write("\t".join([text(row[name]) for name, text in columns]))
            write("\n")
        buffer.seek(0)
        names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        table = connection.ops.quote_name(self.model._meta.db_table)
        self.writer.send(f"COPY {table} ({names}) FROM STDIN", buffer)


class CopyWriter(threading.Thread):
    """Sends the COPY statements from a second thread, on the loading thread's own database
    connection (so inside its transaction), while the loading thread formats the next batch:
    on two cores Python and PostgreSQL then work at the same time. The loading thread never
    uses the connection while a COPY may be running (`idle()` first)."""

    def __init__(self):
        super().__init__(name="bulk-copy", daemon=True)
        connection.ensure_connection()
        self.raw = connection.connection
        self.queue: queue.Queue = queue.Queue(maxsize=3)  # bounded: memory stays flat
        self.error: BaseException | None = None
        self.start()

    def run(self) -> None:
        while True:
            item = self.queue.get()
            try:
                if item is None:
                    return
                if self.error is None:
                    sql, buffer = item
                    with self.raw.cursor() as cursor:
                        cursor.copy_expert(sql, buffer, size=1 << 20)
            except BaseException as error:  # noqa: BLE001 - handed to the loading thread
                self.error = error
            finally:
                self.queue.task_done()

    def send(self, sql: str, buffer) -> None:
        self.check()
        self.queue.put((sql, buffer))

    def idle(self) -> None:
        """Wait until every COPY sent so far has run."""
        self.queue.join()
        self.check()

    def close(self) -> None:
        self.queue.put(None)
        self.join()
        self.check()

    def check(self) -> None:
        if self.error is not None:
            raise self.error


class Loader:
    """Rows of several models, with their history, flushed together in insertion order (the
    foreign keys are checked at commit, so the order inside a transaction does not matter)."""

    def __init__(self, *, history_type: str = "+"):
        self.now = timezone.now()
        self.tables: dict[type, Table] = {}
        self.ids: dict[type, list[int]] = {}
        self.histories: dict[type, tuple] = {}
        self.writer = CopyWriter() if connection.vendor == "postgresql" else None
        actor = current_actor()
        self.history = {
            "history_date": self.now,
            "history_type": history_type,
            "history_change_reason": None,
            "history_user_id": getattr(getattr(actor, "user", None), "pk", None),
            "history_actor": getattr(actor, "label", "") or "",
            "history_ip": getattr(actor, "ip", None),
        }

    def history_of(self, model) -> tuple:
        """The historical model of `model` (None if it keeps no history) and its columns."""
        if model not in self.histories:
            history = getattr(model, "history", None)  # an expensive descriptor: once
            hist_model = getattr(history, "model", None)
            names = {f.attname for f in hist_model._meta.concrete_fields} if hist_model else set()
            self.histories[model] = (hist_model, names)
        return self.histories[model]

    def table(self, model) -> Table:
        if model not in self.tables:
            self.tables[model] = Table(model, self.now, self.writer)
        return self.tables[model]

    def next_id(self, model) -> int:
        """The next number of `model`'s auto primary key, taken from its sequence in blocks
        (so the database never hands it out again)."""
        pool = self.ids.setdefault(model, [])
        if not pool:
            if self.writer is not None:
                self.writer.idle()  # the connection is the writer's while a COPY runs
            pk = model._meta.pk
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    cursor.execute(
                        "SELECT nextval(pg_get_serial_sequence(%s, %s)) "
                        "FROM generate_series(1, 10000)",
                        [model._meta.db_table, pk.column],
                    )
                    pool.extend(sorted((r[0] for r in cursor.fetchall()), reverse=True))
                else:
                    top = model.objects.aggregate(top=models.Max(pk.attname))["top"] or 0
                    pending = [r.get(pk.attname) or 0 for r in self.table(model).rows]
                    start = max([top, *pending]) + 1
                    pool.extend(range(start + 9999, start - 1, -1))
        return pool.pop()

    def add(self, model, m2m: dict[str, list] | None = None, **values) -> dict:
        """One row of `model`, its history row if the model keeps history, and for each
        many-to-many field in `m2m` the through rows to the given ids (and their history
        snapshot). Returns the complete row."""
        row = self.table(model).add(values)
        hist_model, names = self.history_of(model)
        history_row = None
        if hist_model is not None:
            hist_values = {k: v for k, v in row.items() if k in names}
            hist_values.update(self.history)
            if m2m:
                hist_values[hist_model._meta.pk.attname] = self.next_id(hist_model)
            history_row = self.table(hist_model).add(hist_values)
        for field_name, related_ids in (m2m or {}).items():
            self._m2m(model, field_name, row, related_ids, history_row)
        return row

    def _m2m(self, model, field_name: str, row: dict, related_ids, history_row) -> None:
        field = model._meta.get_field(field_name)
        through = field.remote_field.through
        source = field.m2m_field_name() + "_id"
        target = field.m2m_reverse_field_name() + "_id"
        hist_through = None
        if history_row is not None:
            hist_through = apps.get_model(
                model._meta.app_label, f"Historical{through._meta.object_name}"
            )
            hist_pk = self.history_of(model)[0]._meta.pk.attname
        for related_id in related_ids:
            through_id = self.next_id(through)
            link = {"id": through_id, source: row[model._meta.pk.attname], target: related_id}
            self.table(through).add(link)
            if hist_through is not None:
                self.table(hist_through).add({**link, "history_id": history_row[hist_pk]})

    def pending(self) -> int:
        return sum(len(t.rows) for t in self.tables.values())

    def flush(self) -> int:
        try:
            return sum(table.flush() for table in self.tables.values())
        finally:
            _json_texts.clear()

    def close(self) -> None:
        """Write what is left and wait for every COPY (before the transaction ends, whether it
        commits or rolls back)."""
        try:
            self.flush()
        finally:
            if self.writer is not None:
                self.writer.close()

    def __enter__(self) -> Loader:
        return self

    def __exit__(self, kind, error, traceback) -> None:
        if kind is None:
            self.close()
        elif self.writer is not None:
            with contextlib.suppress(BaseException):
                self.writer.close()  # stop it; the transaction is rolled back anyway
