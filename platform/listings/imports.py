"""Bulk import of listings from a CSV or XLSX file: the business rules, in one place.

The back-office resource (backoffice/resources/listings.py) and the Celery task (listings.tasks)
are adapters over this module, so every path applies the same rules:

- Each row upserts one listing keyed by (host, external_id).
- Staff pick the host per row by `host_email`; anyone else imports into their own account (a
  `host_email` naming someone else makes the row invalid).
- Amenities are slugs, separated by commas or semicolons in one cell.
- Field values go through the same rules as the API (services._apply / validate_listing over
  EDITABLE_FIELDS), so an import cannot store a listing the API would refuse.
- All or nothing: the file is evaluated completely first; if any row is invalid nothing is
  written. Otherwise new and changed rows are written in bulk, with one history row each whose
  actor is the importing user.

Row numbers count data rows from 1 (the first row under the header), like the admin's preview.
"""

from __future__ import annotations

import contextlib
import csv
import io
import logging
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum

import tablib
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts import roles
from common.actor import current_actor, user_actor
from common.background import enqueue_on_commit
from common.errors import DomainError, ValidationFailed
from common.history import AuditedRecords

from .cache import listings_changed
from .models import Amenity, Listing
from .services import EDITABLE_FIELDS
from .services import _apply as apply_listing_fields

logger = logging.getLogger(__name__)

# --- The file's columns ------------------------------------------------------------------------

HOST_COLUMN = "host_email"
AMENITIES_COLUMN = "amenities"
KEY_COLUMN = "external_id"
IMPORT_COLUMNS = (KEY_COLUMN, HOST_COLUMN, *(f for f in EDITABLE_FIELDS if f != KEY_COLUMN),
                  AMENITIES_COLUMN)  # fmt: skip
# Written by exports for information; accepted and ignored on import so an export re-imports.
EXPORT_ONLY_COLUMNS = ("status",)
# A new listing needs these (the model has no default for them).
REQUIRED_FOR_NEW = tuple(
    name
    for name in EDITABLE_FIELDS
    if not Listing._meta.get_field(name).blank and not Listing._meta.get_field(name).has_default()
)

BATCH_SIZE = 1000
UPDATE_BATCH_SIZE = 250
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def max_file_bytes() -> int:
    """Files above this are refused outright (LISTING_IMPORT_MAX_BYTES, default 20 MB)."""
    return getattr(settings, "LISTING_IMPORT_MAX_BYTES", 20 * 1024 * 1024)


def max_rows() -> int:
    """Rows under the header a file may have (LISTING_IMPORT_MAX_ROWS, default 100,000)."""
    return getattr(settings, "LISTING_IMPORT_MAX_ROWS", 100_000)


def max_unpacked_bytes() -> int:
    """What an XLSX file (a zip) may unpack to (LISTING_IMPORT_MAX_UNPACKED_BYTES, default
    200 MB): a zip bomb or a huge shared-strings table is refused before it is inflated."""
    return getattr(settings, "LISTING_IMPORT_MAX_UNPACKED_BYTES", 200 * 1024 * 1024)


def async_threshold_bytes() -> int:
    """Files above this go to a Celery task (LISTING_IMPORT_ASYNC_BYTES, default 2 MB)."""
    return getattr(settings, "LISTING_IMPORT_ASYNC_BYTES", 2 * 1024 * 1024)


class ImportFileError(ValidationFailed):
    """The file as a whole cannot be imported (unreadable, empty, too big, bad header)."""

    def __init__(self, message: str, code: str = "import_file_invalid"):
        super().__init__(code, message, field="import_file")


# --- Reading a file ----------------------------------------------------------------------------


def read_listing_file(content: bytes, file_name: str = "") -> tablib.Dataset:
    """Turn uploaded bytes into a dataset with normalised headers, or raise ImportFileError
    with a message a person can act on. CSV (comma, semicolon or tab; UTF-8 or UTF-16 with a
    byte-order mark) and XLSX are accepted; the content decides, not the file name."""
    if len(content) > max_file_bytes():
        raise ImportFileError(
            f"The file is {_megabytes(len(content))}; the limit is "
            f"{_megabytes(max_file_bytes())}. Split it into smaller files.",
            "import_file_too_big",
        )
    if not content.strip():
        raise ImportFileError("The file is empty.", "import_file_empty")
    if content.startswith(b"PK\x03\x04"):
        rows = _xlsx_rows(content)
    elif content.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            "Old Excel (.xls) files are not supported: save the sheet as .xlsx or as CSV UTF-8.",
            "import_file_format",
        )
    elif file_name.lower().endswith(".xlsx"):
        raise ImportFileError("This .xlsx file is damaged or is not an Excel file.")
    else:
        rows = _csv_rows(_decode(content))
    return _dataset(rows)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _decode(content: bytes) -> str:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ImportFileError("The file claims to be UTF-16 but is not readable.") from exc
    if b"\x00" in content[:4096]:
        raise ImportFileError(
            "The file looks like UTF-16 without a byte-order mark, or is not a text file. "
            "Save it as 'CSV UTF-8' (or as .xlsx) and try again.",
            "import_file_encoding",
        )
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise ImportFileError(
            f"The file is not UTF-8 (byte 0x{content[exc.start]:02x} on line {line}; it was "
            "probably saved as Latin-1/Windows-1252). Save it as 'CSV UTF-8' and try again; "
            "nothing was imported.",
            "import_file_encoding",
        ) from exc


def _csv_rows(text: str) -> list[list]:
    header_line = text.lstrip("\r\n").split("\n", 1)[0]
    # The delimiter is whichever of comma, semicolon or tab splits the header most; the header
    # has no quoted separators, so counting is reliable (csv.Sniffer guesses from data rows and
    # is easily fooled by commas inside descriptions).
    delimiter = max((",", ";", "\t"), key=header_line.count)
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        raise ImportFileError(f"The CSV is malformed: {exc}.", "import_file_format") from exc


def _xlsx_rows(content: bytes) -> list[list]:
    """An XLSX file's rows, read within bounds: the zip members' declared uncompressed sizes
    are checked before openpyxl inflates anything (zipfile never inflates a member beyond its
    declared size), the sheet's declared dimension before any row is read, and reading stops
    after the import's row limit (empty rows count: a sheet of a million empty rows is refused,
    not walked)."""
    import zipfile

    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            _check_unpacked_size(archive)
        # data_only: read the values Excel computed, never the formulas themselves.
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            sheet = book.active
            declared = sheet.max_row  # from the sheet's <dimension>, when it has one
            if declared is not None and declared > max_rows() + 1:
                raise _too_many_rows(f"declares {declared - 1:,} rows")
            # Then read what is there: a dimension can also be too small (some tools write
            # A1:A1), and openpyxl would stop at it or pad empty rows up to it.
            sheet.reset_dimensions()
            rows = []
            for values in sheet.iter_rows(values_only=True):
                if len(rows) > max_rows():  # the header and max_rows() rows under it
                    raise _too_many_rows(f"has more than {max_rows():,} rows")
                rows.append(list(values))
            return rows
        finally:
            book.close()
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError) as exc:
        raise ImportFileError(
            "This .xlsx file is damaged or is not an Excel file.", "import_file_format"
        ) from exc


def _check_unpacked_size(archive) -> None:
    unpacked = sum(member.file_size for member in archive.infolist())
    if unpacked > max_unpacked_bytes():
        raise ImportFileError(
            f"This .xlsx file unpacks to {_megabytes(unpacked)}; the limit is "
            f"{_megabytes(max_unpacked_bytes())} (a file this size is not a list of "
            "listings). Save the sheet again with only the listings, or as CSV.",
            "import_file_too_big",
        )


def _too_many_rows(what: str) -> ImportFileError:
    return ImportFileError(
        f"The sheet {what} under its header; the limit is {max_rows():,} listings per file "
        "(empty rows count: delete them in Excel). Split it into smaller files.",
        "import_file_too_big",
    )


def _dataset(rows: list[list]) -> tablib.Dataset:
    rows = [row for row in rows if any(_is_filled(cell) for cell in row)]
    if not rows:
        raise ImportFileError("The file is empty.", "import_file_empty")
    if len(rows) - 1 > max_rows():
        raise ImportFileError(
            f"The file has {len(rows) - 1:,} rows under its header; the limit is "
            f"{max_rows():,} listings per file. Split it into smaller files.",
            "import_file_too_big",
        )
    headers = [normalise_header(cell) for cell in rows[0]]
    check_headers(headers)
    width = len(headers)
    dataset = tablib.Dataset(headers=headers)
    for number, row in enumerate(rows[1:], start=1):
        if len(row) > width and any(_is_filled(cell) for cell in row[width:]):
            raise ImportFileError(
                f"Row {number} has more cells than the header has columns: check the "
                "delimiter and quoting of that row.",
                "import_file_format",
            )
        dataset.append((list(row) + [None] * width)[:width])
    if not len(dataset):
        raise ImportFileError(
            "The file has a header row but no listings under it.", "import_file_empty"
        )
    return dataset


def _is_filled(cell) -> bool:
    return cell is not None and str(cell).strip() != ""


def normalise_header(cell) -> str:
    return re.sub(r"[\s-]+", "_", str(cell or "").strip().lstrip("\ufeff").lower())


def check_headers(headers: list[str]) -> None:
    """Refuse a header that would make rows mean something else than the person thinks."""
    known = set(IMPORT_COLUMNS) | set(EXPORT_ONLY_COLUMNS)
    if len(headers) == 1 and any(sep in headers[0] for sep in ",;\t|"):
        raise ImportFileError(
            "Could not split the header into columns: use a comma-, semicolon- or "
            "tab-separated file.",
            "import_file_format",
        )
    unknown = [h or "(blank)" for h in headers if h not in known]
    if unknown:
        raise ImportFileError(
            f"Unknown column(s): {', '.join(unknown)}. The columns are: "
            f"{', '.join(IMPORT_COLUMNS)} (see the template).",
            "import_file_columns",
        )
    duplicated = sorted({h for h in headers if headers.count(h) > 1})
    if duplicated:
        raise ImportFileError(
            f"Column(s) appear twice: {', '.join(duplicated)}.", "import_file_columns"
        )
    if KEY_COLUMN not in headers:
        raise ImportFileError(
            f"The file needs an {KEY_COLUMN} column: it is your reference for each listing, "
            "so importing the file again updates instead of duplicating.",
            "import_file_columns",
        )


# --- Evaluating rows ---------------------------------------------------------------------------


class RowKind(StrEnum):
    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    INVALID = "invalid"


@dataclass
class RowOutcome:
    number: int
    kind: RowKind
    external_id: str
    listing: Listing | None = None
    # field (or "__all__") -> messages; empty unless the row is invalid
    errors: dict[str, list[str]] = field(default_factory=dict)
    # for an updated row: (field, old value, new value) of what it changes, as text
    changes: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def message(self) -> str:
        return " ".join(m for messages in self.errors.values() for m in messages)

    def as_report(self) -> dict:
        return {"row": self.number, "external_id": self.external_id, "errors": self.errors}


class RowInvalid(Exception):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


@dataclass
class ImportReport:
    outcomes: list[RowOutcome]
    written: bool = False

    def count(self, kind: RowKind) -> int:
        return sum(1 for o in self.outcomes if o.kind == kind)

    @property
    def counts(self) -> dict[str, int]:
        return {kind.value: self.count(kind) for kind in RowKind}

    @property
    def invalid(self) -> list[RowOutcome]:
        return [o for o in self.outcomes if o.kind == RowKind.INVALID]

    @property
    def has_invalid(self) -> bool:
        return any(o.kind == RowKind.INVALID for o in self.outcomes)


class ListingImport:
    """One import of one file by one user: loads what the rows refer to with a handful of
    queries, evaluates every row, then writes all valid rows in bulk (or nothing).

        plan = ListingImport(user=user, dataset=dataset)
        report = plan.evaluate()          # a preview: new / updated / unchanged / invalid
        plan.write()                      # refuses if any row is invalid
    """

    def __init__(self, *, user, dataset: tablib.Dataset, batch_size: int = BATCH_SIZE):
        if user is None or not user.is_authenticated:
            raise ValidationFailed("not_authenticated", "Log in to import listings.")
        self.user = user
        self.batch_size = batch_size
        self.headers = [normalise_header(h) for h in dataset.headers or []]
        check_headers(self.headers)
        self.rows = [dict(zip(self.headers, values, strict=False)) for values in dataset]
        self.staff = bool(user.is_staff and user.has_perm("listings.add_listing")
                          and user.has_perm("listings.change_listing"))  # fmt: skip
        self._load()
        self.report: ImportReport | None = None
        self._seen_keys: dict[tuple, int] = {}

    # Loading: one query each for hosts, amenities, existing listings and their amenities.
    def _load(self) -> None:
        self.hosts_by_email = {}
        if self.staff and HOST_COLUMN in self.headers:
            emails = {_text(r.get(HOST_COLUMN)).lower() for r in self.rows} - {""}
            user_model = get_user_model()
            self.hosts_by_email = {
                u.email.lower(): u for u in user_model.objects.filter(email__in=emails)
            }
        host_ids = {self.user.pk} | {u.pk for u in self.hosts_by_email.values()}
        amenities = Amenity.objects.only("id", "slug").order_by()
        self.amenities_by_slug = {a.slug: a.pk for a in amenities}
        self.existing = {
            (listing.host_id, listing.external_id): listing
            for listing in Listing.objects.filter(host_id__in=host_ids).exclude(external_id="")
        }
        through = Listing.amenities.through
        self.existing_amenities: dict = {}  # listing id -> {amenity id: through row id}
        for row_id, listing_id, amenity_id in through.objects.filter(
            listing__host_id__in=host_ids
        ).values_list("id", "listing_id", "amenity_id"):
            self.existing_amenities.setdefault(listing_id, {})[amenity_id] = row_id
        self.new_amenities: dict = {}  # listing id -> set of amenity ids, when they change
        self._hosts_made: set = set()  # hosts given the Hosts role by an earlier batch
        self.changed_fields: dict = {}  # listing id -> names of the fields a row changes

    def evaluate(self, progress: Callable[[int], None] | None = None) -> ImportReport:
        """Classify every row. `progress(n)` is called every batch with the rows done."""
        if self.report is None:
            outcomes = []
            for number, row in enumerate(self.rows, start=1):
                outcomes.append(self.evaluate_row(row, number))
                if progress and number % self.batch_size == 0:
                    progress(number)
            self.report = ImportReport(outcomes)
        return self.report

    def evaluate_row(self, row: Mapping, number: int) -> RowOutcome:
        external_id = _text(row.get(KEY_COLUMN))
        try:
            host = self._host_for(row)
            key = (host.pk, external_id)
            self._check_key(external_id, key, number)
            listing = self.existing.get(key)
            new = listing is None
            if new:
                listing = Listing(host=host, status=Listing.Status.DRAFT)
            before = _snapshot(listing)
            fields = self._parse_fields(row, new)
            amenity_ids = self._parse_amenities(row)
            try:
                apply_listing_fields(listing, fields, check_external_id=False)
            except DomainError as exc:
                if not new:  # leave the cached listing as the database has it
                    _restore(listing, before)
                raise RowInvalid({exc.field or "__all__": [_with_field(exc)]}) from exc
        except RowInvalid as exc:
            return RowOutcome(number, RowKind.INVALID, external_id, errors=exc.errors)
        current = set(self.existing_amenities.get(listing.pk, {}))
        amenities_change = amenity_ids is not None and amenity_ids != current
        if amenities_change:
            self.new_amenities[listing.pk] = amenity_ids
        changes = []
        if new:
            kind = RowKind.NEW
        elif amenities_change or _snapshot(listing) != before:
            kind = RowKind.UPDATED
            after = _snapshot(listing)
            changes = [
                (name, _as_text(old), _as_text(value))
                for name, old, value in zip(EDITABLE_FIELDS, before, after, strict=True)
                if old != value
            ]
            self.changed_fields[listing.pk] = [name for name, _old, _new in changes]
            if amenities_change:
                changes.append((AMENITIES_COLUMN, self._slugs(current), self._slugs(amenity_ids)))
        else:
            kind = RowKind.UNCHANGED
        return RowOutcome(number, kind, external_id, listing, changes=changes)

    def _slugs(self, amenity_ids) -> str:
        if not hasattr(self, "_slug_by_id"):
            self._slug_by_id = {pk: slug for slug, pk in self.amenities_by_slug.items()}
        return ", ".join(sorted(self._slug_by_id.get(pk, "?") for pk in amenity_ids))

    def _host_for(self, row: Mapping):
        email = _text(row.get(HOST_COLUMN)).lower()
        if not self.staff:
            if email and email != self.user.email.lower():
                raise RowInvalid({HOST_COLUMN: [
                    f"host_email: you can only import listings into your own account "
                    f"({self.user.email}); leave the column empty or remove it."]})  # fmt: skip
            return self.user
        if not email:
            raise RowInvalid({HOST_COLUMN: ["host_email is required for staff imports."]})
        host = self.hosts_by_email.get(email)
        if host is None:
            raise RowInvalid({HOST_COLUMN: [f"Unknown host: no user has the email {email}."]})
        return host

    def _check_key(self, external_id: str, key: tuple, number: int) -> None:
        if not external_id:
            raise RowInvalid({KEY_COLUMN: ["external_id is required (your reference for the "
                                           "listing, so a new import updates it)."]})  # fmt: skip
        first = self._seen_keys.setdefault(key, number)
        if first != number:
            raise RowInvalid(
                {
                    KEY_COLUMN: [
                        f"Duplicate external_id '{external_id}' in the file (first on row {first})."
                    ]
                }
            )

    def _parse_fields(self, row: Mapping, new: bool) -> dict:
        values, errors = {}, {}
        for name in EDITABLE_FIELDS:
            if name not in self.headers:
                continue  # a column absent from the file leaves the field as it is
            try:
                values[name] = parse_cell(name, row.get(name))
            except ValueError as exc:
                errors[name] = [str(exc)]
        for name in REQUIRED_FOR_NEW:
            missing = values.get(name) in (None, "") if name in self.headers else new
            if missing and name not in errors:
                errors[name] = [f"{name} is required."]
        if errors:
            raise RowInvalid(errors)
        return values

    def _parse_amenities(self, row: Mapping) -> set | None:
        if AMENITIES_COLUMN not in self.headers:
            return None
        slugs = [s.strip().lower() for s in re.split(r"[,;]", _text(row.get(AMENITIES_COLUMN)))]
        slugs = [s for s in slugs if s]
        unknown = sorted({s for s in slugs if s not in self.amenities_by_slug})
        if unknown:
            raise RowInvalid({AMENITIES_COLUMN: [f"Unknown amenity: {', '.join(unknown)}."]})
        return {self.amenities_by_slug[s] for s in slugs}

    # --- Writing -------------------------------------------------------------------------------

    def write(self, listings: Iterable[Listing] | None = None) -> ImportReport:
        """Write the new and changed rows (all of them, or the given subset) in bulk, in one
        transaction, with history attributed to the importing user. Refuses if any row of the
        file is invalid, so a file is imported completely or not at all."""
        report = self.evaluate()
        if report.has_invalid:
            raise ValidationFailed(
                "import_has_invalid_rows",
                f"{report.count(RowKind.INVALID)} row(s) are invalid; nothing was imported. "
                "Fix the file and import it again.",
            )
        chosen = None if listings is None else {id(obj) for obj in listings}
        created, updated = [], []
        for outcome in report.outcomes:
            if chosen is not None and id(outcome.listing) not in chosen:
                continue
            if outcome.kind == RowKind.NEW:
                created.append(outcome.listing)
            elif outcome.kind == RowKind.UPDATED:
                updated.append(outcome.listing)
        with transaction.atomic():
            self._write(created, updated)
            # bulk writes send no signals: the read cache is told here
            listings_changed(listing.pk for listing in [*created, *updated])
        report.written = True
        return report

    def _write(self, created: list[Listing], updated: list[Listing]) -> None:
        if not (created or updated):
            return
        now = timezone.now()
        history = {
            "batch_size": self.batch_size,
            "default_user": self.user,
            "default_date": now,
            "custom_historical_attrs": self._actor_attrs(),
        }
        self._make_hosts({listing.host_id for listing in created})
        if created:
            bulk_create_with_history(created, Listing, **history)
        if updated:
            for listing in updated:
                listing.updated_at = now
            # Only the columns some row changes: Django's bulk_update writes a CASE per column
            # and row, so updating all 25 columns when one price moved costs ten times more.
            changed = {name for obj in updated for name in self.changed_fields.get(obj.pk, ())}
            fields = [name for name in EDITABLE_FIELDS if name in changed] + ["updated_at"]
            # Smaller batches too: the database scans each CASE linearly, per row.
            history["batch_size"] = min(self.batch_size, UPDATE_BATCH_SIZE)
            bulk_update_with_history(updated, Listing, fields=fields, **history)
        self._write_amenities(created + updated, now)

    def _actor_attrs(self) -> dict:
        """The audit columns a per-row save would get from common.audit_signals (bulk history
        writes send no signal, so they are filled here)."""
        actor = current_actor()
        if actor is None or actor.user != self.user:
            actor = user_actor(self.user, actor.ip if actor else None)
        return {"history_actor": actor.label, "history_ip": actor.ip}

    def _make_hosts(self, host_ids: set) -> None:
        """Whoever gets a listing becomes a host, as listing_create does (one query each way)."""
        host_ids = host_ids - self._hosts_made
        if not host_ids:
            return
        self._hosts_made |= host_ids
        group, _ = Group.objects.get_or_create(name=roles.HOSTS)
        membership = get_user_model().groups.through
        already = set(
            membership.objects.filter(group=group, user_id__in=host_ids).values_list(
                "user_id", flat=True
            )
        )
        made = host_ids - already
        membership.objects.bulk_create([membership(user_id=uid, group=group) for uid in made])
        # bulk_create sends no m2m signal: record each role change in the people's history
        recorder = AuditedRecords.recorders[get_user_model()]
        for person in get_user_model().objects.filter(pk__in=made):
            recorder.create_historical_record(person, "~")
        self.user.__dict__.pop("_group_names", None)

    def _write_amenities(self, written: list[Listing], now) -> None:
        """Replace the amenity sets that changed, and record the amenity set of every history
        row just written (simple-history's m2m history, which bulk writes do not fill)."""
        through = Listing.amenities.through
        written_ids = {obj.pk for obj in written}
        changed = [pk for pk in self.new_amenities if pk in written_ids]
        stale = [pk for pk in changed if self.existing_amenities.get(pk)]
        for start in range(0, len(stale), self.batch_size):
            through.objects.filter(listing_id__in=stale[start : start + self.batch_size]).delete()
        rows = [
            through(listing_id=pk, amenity_id=amenity_id)
            for pk in changed
            for amenity_id in sorted(self.new_amenities[pk], key=str)
        ]
        through.objects.bulk_create(rows, batch_size=self.batch_size)
        current = {pk: dict(self.existing_amenities.get(pk, {})) for pk in (o.pk for o in written)}
        for pk in changed:
            current[pk] = {}
        for row in rows:
            current[row.listing_id][row.amenity_id] = row.pk
        self.existing_amenities.update(current)

        historical = Listing.history.model
        m2m_history = historical.amenities.model
        history_ids = historical.objects.filter(
            history_date=now, history_user_id=self.user.pk
        ).values_list("history_id", "id")
        m2m_history.objects.bulk_create(
            [
                m2m_history(history_id=history_id, id=row_id, listing_id=pk, amenity_id=amenity)
                for history_id, pk in history_ids
                for amenity, row_id in current.get(pk, {}).items()
            ],
            batch_size=self.batch_size,
        )


# --- Cells -------------------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # XLSX stores 12 as 12.0
    text = str(value).strip()
    # An export neutralises formula-like text with a leading quote; take it off again so an
    # exported file re-imports unchanged.
    if text.startswith("'") and text[1:2] in FORMULA_PREFIXES:
        text = text[1:]
    return text


def parse_cell(name: str, value):
    """One cell to the model field's Python value; ValueError with a readable message."""
    model_field = Listing._meta.get_field(name)
    text = _text(value)
    if isinstance(model_field, models.BooleanField):
        if isinstance(value, bool):
            return value
        lowered = text.lower()
        if lowered in ("", "0", "false", "no", "n"):
            return False
        if lowered in ("1", "true", "yes", "y"):
            return True
        raise ValueError(f"{name}: '{text}' is not yes/no (use true or false).")
    if text == "":
        if model_field.null:
            return None
        if model_field.has_default():
            return model_field.get_default()
        return ""
    if isinstance(model_field, models.DecimalField):
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise ValueError(f"{name}: '{text}' is not a number (use a dot for decimals, "
                             "e.g. 120.50, and no currency sign).")  # fmt: skip
        return number
    if isinstance(model_field, models.IntegerField):
        if not re.fullmatch(r"[+-]?\d+", text):
            raise ValueError(f"{name}: '{text}' is not a whole number.")
        number = int(text)
        if number < 0:
            raise ValueError(f"{name} cannot be negative (got {number}).")
        return number
    return text


def _as_text(value) -> str:
    """A value as the preview shows it (and as a person would type it in the file)."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _snapshot(listing: Listing) -> tuple:
    return tuple(getattr(listing, name) for name in EDITABLE_FIELDS)


def _restore(listing: Listing, snapshot: tuple) -> None:
    for name, value in zip(EDITABLE_FIELDS, snapshot, strict=True):
        setattr(listing, name, value)


def _with_field(exc: DomainError) -> str:
    """validate_listing's messages name the field already ("title: ..."), except a few."""
    if exc.field and not exc.message.startswith(f"{exc.field}:"):
        return f"{exc.field}: {exc.message}"
    return exc.message


# --- The service -------------------------------------------------------------------------------


def listing_import_file(
    *,
    user,
    content: bytes,
    file_name: str = "",
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Read, evaluate and (unless `dry_run` or any row is invalid) write a whole file.

    Raises ImportFileError when the file cannot be read. Invalid rows do not raise: the
    report lists them and `report.written` stays False."""
    dataset = read_listing_file(content, file_name)
    plan = ListingImport(user=user, dataset=dataset)
    total = len(plan.rows)
    report = plan.evaluate(progress=(lambda done: progress(done, total)) if progress else None)
    if not dry_run and not report.has_invalid:
        plan.write()
    return report


# --- Big files: a job record and a Celery task (listings.tasks) --------------------------------


def listing_import_job_start(*, user, content: bytes, file_name: str, dry_run: bool = False):
    """Record a big file and hand it to a worker; the job shows progress and the result.
    The size limit is checked now, so a refused file never reaches the queue."""
    from .models import ListingImportJob

    if len(content) > max_file_bytes():
        read_listing_file(content, file_name)  # raises the size message
    job = ListingImportJob.objects.create(
        user=user, file_name=file_name[:255], file_size=len(content), source=content,
        dry_run=dry_run,
    )  # fmt: skip
    _dispatch(job.pk)
    return job


def _dispatch(job_id) -> None:
    from .tasks import run_listing_import_job

    enqueue_on_commit(run_listing_import_job, str(job_id))


def import_heartbeat_seconds() -> int:
    return getattr(settings, "LISTING_IMPORT_HEARTBEAT_SECONDS", 5)


def import_dead_after_seconds() -> int:
    """A running job whose heartbeat is older than this has lost its worker."""
    return getattr(settings, "LISTING_IMPORT_DEAD_AFTER_SECONDS", 60)


IMPORT_MAX_ATTEMPTS = 3


@contextlib.contextmanager
def _heartbeat(job_id):
    """Stamp the job's heartbeat from a side thread while the block runs (a long evaluation or
    bulk write gives no other sign of life). The thread closes its own database connection."""
    from django.db import connection

    from .models import ListingImportJob

    stop = threading.Event()

    def beat():
        try:
            while not stop.wait(import_heartbeat_seconds()):
                ListingImportJob.objects.filter(pk=job_id).update(heartbeat_at=timezone.now())
        except Exception:  # a missed beat only makes the job look older; the run goes on
            logger.warning("Import %s: heartbeat stopped", job_id, exc_info=True)
        finally:
            connection.close()

    thread = threading.Thread(target=beat, name=f"import-heartbeat-{job_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=30)


def listing_import_job_run(*, job) -> None:
    """Run a pending job (called by the task under the importing user's actor). Safe to call
    twice: only the caller whose UPDATE moves the job from pending to running runs it."""
    from .models import ListingImportJob

    Status = ListingImportJob.Status
    now = timezone.now()
    claimed = ListingImportJob.objects.filter(pk=job.pk, status=Status.PENDING).update(
        status=Status.RUNNING, heartbeat_at=now, updated_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return  # a redelivered or duplicate task: the first run owns the job
    job.refresh_from_db()

    def progress(done: int, total: int) -> None:
        ListingImportJob.objects.filter(pk=job.pk).update(
            processed_rows=done, total_rows=total, heartbeat_at=timezone.now()
        )

    with _heartbeat(job.pk):
        _run_claimed(job, progress)


def _run_claimed(job, progress) -> None:
    from .models import ListingImportJob

    Status = ListingImportJob.Status
    try:
        report = listing_import_file(
            user=job.user, content=bytes(job.source or b""), file_name=job.file_name,
            dry_run=job.dry_run, progress=progress,
        )  # fmt: skip
    except DomainError as exc:
        job.status, job.message = Status.FAILED, exc.message
    else:
        counts = report.counts
        job.total_rows = job.processed_rows = len(report.outcomes)
        job.new_count, job.updated_count = counts["new"], counts["updated"]
        job.unchanged_count, job.invalid_count = counts["unchanged"], counts["invalid"]
        job.error_report = [o.as_report() for o in report.invalid[:ERROR_REPORT_LIMIT]]
        if report.has_invalid:
            job.status = Status.REJECTED
            job.message = (f"{job.invalid_count} invalid row(s); nothing was imported. Fix "
                           "them and import the file again.")  # fmt: skip
        elif job.dry_run:
            job.status = Status.VALIDATED
            job.message = (
                "The file is valid: {new} new, {updated} updated, {unchanged} "
                "unchanged. Nothing was written (dry run).".format(**counts)
            )
        else:
            job.status = Status.IMPORTED
            job.message = "Imported: {new} new, {updated} updated, {unchanged} unchanged.".format(
                **counts
            )
    job.source = None  # the bytes are not kept once read
    job.finished_at = timezone.now()
    job.save()


def listing_import_jobs_recover(*, now=None) -> int:
    """Recovery sweep: a pending job whose message was lost is dispatched again; a running job
    whose worker died (no heartbeat) is run again, or marked failed with the reason after
    IMPORT_MAX_ATTEMPTS runs. Returns how many jobs were re-dispatched or failed."""
    from .models import ListingImportJob

    Status = ListingImportJob.Status
    now = now or timezone.now()
    dead_before = now - timedelta(seconds=import_dead_after_seconds())
    recovered = 0
    lost = ListingImportJob.objects.filter(status=Status.PENDING, updated_at__lt=dead_before)
    for job_id in list(lost.values_list("pk", flat=True)):
        # stamped so a job merely waiting behind others is re-sent once per period, not always
        ListingImportJob.objects.filter(pk=job_id, status=Status.PENDING).update(updated_at=now)
        _dispatch(job_id)
        recovered += 1
    dead = ListingImportJob.objects.filter(status=Status.RUNNING, heartbeat_at__lt=dead_before)
    for job_id, attempts in list(dead.values_list("pk", "attempts")):
        if attempts < IMPORT_MAX_ATTEMPTS:
            changed = ListingImportJob.objects.filter(
                pk=job_id, status=Status.RUNNING, heartbeat_at__lt=dead_before
            ).update(status=Status.PENDING, updated_at=now, processed_rows=0)
            if changed:
                _dispatch(job_id)
        else:
            changed = ListingImportJob.objects.filter(
                pk=job_id, status=Status.RUNNING, heartbeat_at__lt=dead_before
            ).update(
                status=Status.FAILED, source=None, finished_at=now, updated_at=now,
                message=(f"The worker running this import stopped {attempts} times (no sign of "
                         "life for over a minute); nothing was imported. Try a smaller file."),
            )  # fmt: skip
        recovered += changed
    return recovered


ERROR_REPORT_LIMIT = 1000  # the first invalid rows are enough to fix a file
