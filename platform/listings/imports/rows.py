"""Evaluating the rows of an import: what each row would do (new, updated, unchanged) or every
reason it cannot (invalid), without writing anything.

    rows = ListingRows(user=user, headers=headers)     # loads what rows refer to: 4 queries
    outcome = rows.evaluate(row, number)                # a RowOutcome

The rules are the core's: who may list for whom (listings.permissions), field values through
the services' `_apply` / `listing_problems` (every problem of a row at once). What is import's
own: the upsert key (host, external_id), unique within the file; amenity slugs in one cell;
a column absent from the file leaves the field as it is.
"""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from django.contrib.auth import get_user_model
from django.db.models.base import ModelState

from common.errors import DomainError, FieldErrors, ValidationFailed

from ..models import Amenity, Listing
from ..permissions import can_list_for_others
from ..services import EDITABLE_FIELDS
from ..services import _apply as apply_listing_fields
from .cells import as_text, cell_parser, cell_text
from .files import AMENITIES_COLUMN, HOST_COLUMN, KEY_COLUMN

# A new listing needs these (the model has no default for them).
REQUIRED_FOR_NEW = tuple(
    name
    for name in EDITABLE_FIELDS
    if not Listing._meta.get_field(name).blank and not Listing._meta.get_field(name).has_default()
)


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


class ListingRows:
    """The evaluation of one file's rows for one importing user. Holds what the rows refer to
    (hosts by email, amenities by slug, the hosts' listings by external_id and their amenity
    sets), loaded once, and what the rows decided (the amenity sets and fields that change),
    which the writer (imports.writing) then writes."""

    def __init__(self, *, user, headers: Iterable[str], rows: Iterable[Mapping] = ()):
        if user is None or not user.is_authenticated:
            raise ValidationFailed("not_authenticated", "Log in to import listings.")
        self.user = user
        self.headers = list(headers)
        self.fields = [name for name in EDITABLE_FIELDS if name in self.headers]
        self.parsers = [(name, cell_parser(name)) for name in self.fields]
        self.for_others = can_list_for_others(user)
        self._load(rows)
        self._seen_keys: dict[tuple, int] = {}
        self._amenity_cells: dict = {}  # cell -> (amenity ids, error message)
        self._slug_by_id = {pk: slug for slug, pk in self.amenities_by_slug.items()}
        self.new_amenities: dict = {}  # listing id -> set of amenity ids, when they change
        self.changed_fields: dict = {}  # listing id -> names of the fields a row changes
        prototype = Listing(status=Listing.Status.DRAFT)
        self._prototype = {k: v for k, v in vars(prototype).items() if k != "_state"}

    def _load(self, rows: Iterable[Mapping]) -> None:
        """One query each for hosts, amenities, the hosts' listings and their amenities."""
        self.hosts_by_email = {}
        if self.for_others and HOST_COLUMN in self.headers:
            emails = {cell_text(r.get(HOST_COLUMN)).lower() for r in rows} - {""}
            users = get_user_model().objects.filter(email__in=emails)
            self.hosts_by_email = {u.email.lower(): u for u in users}
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

    def evaluate_all(
        self, rows: Iterable[Mapping], progress: Callable[[int], None] | None = None,
        every: int = 1000,
    ) -> ImportReport:  # fmt: skip
        """Every row, in order; `progress(n)` every `every` rows with the rows done."""
        outcomes = []
        for number, row in enumerate(rows, start=1):
            outcomes.append(self.evaluate(row, number))
            if progress and number % every == 0:
                progress(number)
        return ImportReport(outcomes)

    def evaluate(self, row: Mapping, number: int) -> RowOutcome:
        """What `row` (row `number` of the file, counted from 1 under the header) would do.
        An invalid row reports every problem found: host, key, each field, amenities."""
        external_id = cell_text(row.get(KEY_COLUMN))
        errors: dict[str, list[str]] = {}
        host = self._host_for(row, errors)
        if host is not None:
            self._check_key(external_id, (host.pk, external_id), number, errors)
        listing = self.existing.get((host.pk, external_id)) if host is not None else None
        new = listing is None
        if new:
            listing = self._new_listing(host or self.user)
        values = self._parse_fields(row, new, errors)
        amenity_ids = self._parse_amenities(row, errors)
        # What an existing listing was (to restore it, or to say what changed); a new one is
        # only kept when valid and has nothing to compare with.
        before = () if new else _snapshot(listing)
        try:
            apply_listing_fields(listing, values, check_external_id=False)
        except DomainError as exc:
            problems = exc.problems if isinstance(exc, FieldErrors) else [exc]
            for problem in problems:
                name = problem.field or "__all__"
                if name not in errors:
                    errors.setdefault(name, []).append(_with_field(problem))
        if errors:
            if not new:  # leave the loaded listing as the database has it
                _restore(listing, before)
            return RowOutcome(number, RowKind.INVALID, external_id, errors=_ordered(errors))
        return self._verdict(number, external_id, listing, new, before, amenity_ids)

    def _new_listing(self, host) -> Listing:
        """A new draft listing of `host` with every field's default: a copy of a prototype's
        fields (Model.__init__ resolves defaults and descriptors field by field, a third of
        the evaluation of a 10,000-row file)."""
        listing = Listing.__new__(Listing)
        listing.__dict__.update(self._prototype)
        listing._state = ModelState()
        listing.id = uuid.uuid4()
        listing.host_id = host.pk
        Listing.host.field.set_cached_value(listing, host)
        return listing

    def _verdict(self, number, external_id, listing, new, before, amenity_ids) -> RowOutcome:
        current = self.existing_amenities.get(listing.pk, {})
        amenities_change = amenity_ids is not None and amenity_ids != current.keys()
        if amenities_change:
            self.new_amenities[listing.pk] = amenity_ids
        if new:
            return RowOutcome(number, RowKind.NEW, external_id, listing)
        after = _snapshot(listing)
        if not amenities_change and after == before:
            return RowOutcome(number, RowKind.UNCHANGED, external_id, listing)
        changes = [
            (name, as_text(old), as_text(value))
            for name, old, value in zip(EDITABLE_FIELDS, before, after, strict=True)
            if old != value
        ]
        self.changed_fields[listing.pk] = [name for name, _old, _new in changes]
        if amenities_change:
            changes.append((AMENITIES_COLUMN, self._slugs(current), self._slugs(amenity_ids)))
        return RowOutcome(number, RowKind.UPDATED, external_id, listing, changes=changes)

    def _slugs(self, amenity_ids) -> str:
        return ", ".join(sorted(self._slug_by_id.get(pk, "?") for pk in amenity_ids))

    def _host_for(self, row: Mapping, errors: dict):
        email = cell_text(row.get(HOST_COLUMN)).lower()
        if not self.for_others:
            if email and email != self.user.email.lower():
                errors[HOST_COLUMN] = [
                    f"host_email: you can only import listings into your own account "
                    f"({self.user.email}); leave the column empty or remove it."]  # fmt: skip
                return None
            return self.user
        if not email:
            errors[HOST_COLUMN] = ["host_email is required for staff imports."]
            return None
        host = self.hosts_by_email.get(email)
        if host is None:
            errors[HOST_COLUMN] = [f"Unknown host: no user has the email {email}."]
        elif not host.is_active:
            errors[HOST_COLUMN] = [f"host_email: {email} is not an active account."]
            host = None
        return host

    def _check_key(self, external_id: str, key: tuple, number: int, errors: dict) -> None:
        if not external_id:
            errors[KEY_COLUMN] = ["external_id is required (your reference for the listing, "
                                  "so a new import updates it)."]  # fmt: skip
            return
        first = self._seen_keys.setdefault(key, number)
        if first != number:
            errors[KEY_COLUMN] = [
                f"Duplicate external_id '{external_id}' in the file (first on row {first})."
            ]

    def _parse_fields(self, row: Mapping, new: bool, errors: dict) -> dict:
        """The file's values of the listing's fields; a cell that cannot be read is an error
        and leaves its field out (the core then checks the others)."""
        values = {}
        for name, parse in self.parsers:
            try:
                values[name] = parse(row.get(name))
            except ValueError as exc:
                errors[name] = [str(exc)]
        for name in REQUIRED_FOR_NEW:
            missing = values.get(name) in (None, "") if name in values else new
            if missing and name not in errors:
                errors[name] = [f"{name} is required."]
                values.pop(name, None)
        return values

    def _parse_amenities(self, row: Mapping, errors: dict) -> set | None:
        if AMENITIES_COLUMN not in self.headers:
            return None
        cell = row.get(AMENITIES_COLUMN)
        try:  # a file repeats a handful of amenity lists
            ids, message = self._amenity_cells[cell]
        except (KeyError, TypeError):
            ids, message = self._amenity_ids(cell)
            if len(self._amenity_cells) < 10_000:
                with contextlib.suppress(TypeError):
                    self._amenity_cells[cell] = (ids, message)
        if message:
            errors[AMENITIES_COLUMN] = [message]
            return None
        return set(ids)

    def _amenity_ids(self, cell) -> tuple[frozenset, str]:
        slugs = [s.strip().lower() for s in re.split(r"[,;]", cell_text(cell))]
        slugs = [s for s in slugs if s]
        unknown = sorted({s for s in slugs if s not in self.amenities_by_slug})
        if unknown:
            return frozenset(), f"Unknown amenity: {', '.join(unknown)}."
        return frozenset(self.amenities_by_slug[s] for s in slugs), ""


_COLUMN_ORDER = {name: n for n, name in enumerate((KEY_COLUMN, HOST_COLUMN, *EDITABLE_FIELDS,
                                                   AMENITIES_COLUMN, "__all__"))}  # fmt: skip


def _ordered(errors: dict) -> dict:
    """Errors in the file's column order, so the preview reads left to right."""
    return dict(sorted(errors.items(), key=lambda item: _COLUMN_ORDER.get(item[0], 99)))


def _snapshot(listing: Listing) -> tuple:
    return tuple(getattr(listing, name) for name in EDITABLE_FIELDS)


def _restore(listing: Listing, snapshot: tuple) -> None:
    for name, value in zip(EDITABLE_FIELDS, snapshot, strict=True):
        setattr(listing, name, value)


def _with_field(exc: DomainError) -> str:
    """The core's messages name the field already ("title: ..."), except a few."""
    if exc.field and not exc.message.startswith(f"{exc.field}:"):
        return f"{exc.field}: {exc.message}"
    return exc.message
