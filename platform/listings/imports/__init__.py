"""Bulk import of listings from a CSV or XLSX file: the business rules, in one place.

The back-office resource (backoffice/resources/listings.py), the admin's hand-off of big files
and the Celery task (listings.tasks) are adapters over this package, so every path applies the
same rules:

- Each row upserts one listing keyed by (host, external_id).
- Who may list for whom is the core's rule (listings.permissions): staff pick the host per row
  by `host_email`; anyone else imports into their own account.
- Amenities are slugs, separated by commas or semicolons in one cell.
- Field values go through the same rules as the API (services._apply / listing_problems over
  EDITABLE_FIELDS), so an import cannot store a listing the API would refuse; an invalid row
  reports every problem it has.
- All or nothing: the file is evaluated completely first; if any row is invalid nothing is
  written. Otherwise new and changed rows are written in bulk, with one history row each whose
  actor is the importing user.

Row numbers count data rows from 1 (the first row under the header), like the admin's preview.

The modules, one job each: `files` (reading bytes within bounds), `cells` (one cell to a
value), `rows` (evaluating rows: ListingRows), `writing` (bulk writes), `service` (the entry
point `listing_import_run` and the ListingImport plan), `jobs` (the background job).
"""

from common.spreadsheet import FORMULA_PREFIXES

from .cells import as_text, cell_text, parse_cell
from .files import (
    AMENITIES_COLUMN,
    EXPORT_ONLY_COLUMNS,
    HOST_COLUMN,
    IMPORT_COLUMNS,
    KEY_COLUMN,
    ImportFileError,
    async_threshold_bytes,
    async_threshold_rows,
    check_headers,
    estimated_rows,
    max_file_bytes,
    max_rows,
    max_unpacked_bytes,
    needs_worker,
    normalise_header,
    read_listing_file,
)
from .jobs import (
    ERROR_REPORT_LIMIT,
    IMPORT_MAX_ATTEMPTS,
    listing_import_job_run,
    listing_import_job_start,
    listing_import_jobs_recover,
)
from .rows import REQUIRED_FOR_NEW, ImportReport, ListingRows, RowKind, RowOutcome
from .service import BATCH_SIZE, ListingImport, listing_import_file, listing_import_run

__all__ = [
    "AMENITIES_COLUMN", "BATCH_SIZE", "ERROR_REPORT_LIMIT", "EXPORT_ONLY_COLUMNS",
    "FORMULA_PREFIXES", "HOST_COLUMN", "IMPORT_COLUMNS", "IMPORT_MAX_ATTEMPTS", "KEY_COLUMN",
    "REQUIRED_FOR_NEW", "ImportFileError", "ImportReport", "ListingImport", "ListingRows",
    "RowKind", "RowOutcome", "as_text", "async_threshold_bytes", "async_threshold_rows",
    "cell_text", "check_headers", "estimated_rows", "listing_import_file",
    "listing_import_job_run", "listing_import_job_start", "listing_import_jobs_recover",
    "listing_import_run", "max_file_bytes", "max_rows", "max_unpacked_bytes", "needs_worker",
    "normalise_header", "parse_cell", "read_listing_file",
]  # fmt: skip
