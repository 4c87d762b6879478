"""The import service: a file in, a report out, written all or nothing.

    report = listing_import_run(user=user, content=data, file_name="homes.csv", dry_run=True)

`listing_import_run` is the one entry point (the back-office job, the benchmark and scripts
call it); `ListingImport` is the same as a plan, for an interface that shows the evaluation
before writing (the back-office preview, django-import-export's batches).
"""

from __future__ import annotations

import contextlib
import functools
import gc
from collections.abc import Callable, Iterable

import tablib

from common.errors import ValidationFailed

from ..models import Listing
from .files import check_headers, normalise_header, read_listing_file
from .rows import ImportReport, ListingRows, RowKind
from .writing import write_listings

BATCH_SIZE = 1000  # rows between progress reports; django-import-export's batch


def _without_cycle_collection(function):
    """Run `function` with Python's cyclic garbage collector paused. An import builds a few
    hundred thousand objects that all live until it ends (cells, listings, rows to write);
    each full collection meanwhile walks every one of them, to free nothing: four of them were
    0.4-0.5 s of the 1.2-1.5 s of Python CPU of a 10,000-row import. Reference counting still
    frees everything as usual; cycles, if any, wait for the next collection after the import."""

    @functools.wraps(function)
    def paused(*args, **kwargs):
        with contextlib.ExitStack() as stack:
            if gc.isenabled():
                gc.disable()
                stack.callback(gc.enable)
            return function(*args, **kwargs)

    return paused


class ListingImport:
    """One import of one file by one user: loads what the rows refer to with a handful of
    queries, evaluates every row, then writes all valid rows in bulk (or nothing).

        plan = ListingImport(user=user, dataset=dataset)
        report = plan.evaluate()          # a preview: new / updated / unchanged / invalid
        plan.write()                      # refuses if any row is invalid
    """

    def __init__(self, *, user, dataset: tablib.Dataset, batch_size: int = BATCH_SIZE):
        self.batch_size = batch_size
        self.headers = [normalise_header(h) for h in dataset.headers or []]
        check_headers(self.headers)
        self.rows = [dict(zip(self.headers, values, strict=False)) for values in dataset]
        self.evaluator = ListingRows(user=user, headers=self.headers, rows=self.rows)
        self.user = user
        self.report: ImportReport | None = None

    @property
    def existing(self) -> dict:
        """The user's (and named hosts') listings by (host id, external_id), as loaded."""
        return self.evaluator.existing

    @_without_cycle_collection
    def evaluate(self, progress: Callable[[int], None] | None = None) -> ImportReport:
        """Classify every row (once). `progress(n)` is called every batch with the rows done."""
        if self.report is None:
            self.report = self.evaluator.evaluate_all(self.rows, progress, self.batch_size)
        return self.report

    @_without_cycle_collection
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
        write_listings(self.evaluator, created=created, updated=updated)
        report.written = True
        return report


@_without_cycle_collection
def listing_import_run(
    *,
    user,
    content: bytes,
    file_name: str = "",
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Read, evaluate and (unless `dry_run` or any row is invalid) write a whole file.

    Raises ImportFileError when the file cannot be read. Invalid rows do not raise: the
    report lists them and `report.written` stays False. Runs where it is called: the
    interfaces hand big files to a worker first (imports.jobs, `needs_worker`)."""
    dataset = read_listing_file(content, file_name)
    plan = ListingImport(user=user, dataset=dataset)
    total = len(plan.rows)
    report = plan.evaluate(progress=(lambda done: progress(done, total)) if progress else None)
    if not dry_run and not report.has_invalid:
        plan.write()
    return report


listing_import_file = listing_import_run  # the name callers knew first
