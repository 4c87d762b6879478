"""Reading an uploaded listing file: bytes to rows with normalised headers, within bounds.

CSV (comma, semicolon or tab; UTF-8 or UTF-16 with a byte-order mark) and XLSX are accepted;
the content decides, not the file name. Every refusal is an ImportFileError with a message a
person can act on. The limits are settings (backoffice/IMPORT.md).
"""

from __future__ import annotations

import csv
import io
import re

import tablib
from django.conf import settings

from common.errors import ValidationFailed

from ..services import EDITABLE_FIELDS

HOST_COLUMN = "host_email"
AMENITIES_COLUMN = "amenities"
KEY_COLUMN = "external_id"
IMPORT_COLUMNS = (KEY_COLUMN, HOST_COLUMN, *(f for f in EDITABLE_FIELDS if f != KEY_COLUMN),
                  AMENITIES_COLUMN)  # fmt: skip
# Written by exports for information; accepted and ignored on import so an export re-imports.
EXPORT_ONLY_COLUMNS = ("status",)


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
    """Files above this go to a Celery task unread (LISTING_IMPORT_ASYNC_BYTES, 2 MB)."""
    return getattr(settings, "LISTING_IMPORT_ASYNC_BYTES", 2 * 1024 * 1024)


def async_threshold_rows() -> int:
    """Files with more rows than this go to a Celery task (LISTING_IMPORT_ASYNC_ROWS, default
    3,000: well under a second of work on an idle machine, so neither the preview nor the
    confirm request holds a web worker for more than ~2 s on a busy one)."""
    return getattr(settings, "LISTING_IMPORT_ASYNC_ROWS", 3_000)


def needs_worker(content: bytes | None, size: int) -> bool:
    """Whether a file is too big to import inside a web request: above the byte threshold
    (decided without reading it), or with more rows than the row threshold (counted cheaply:
    line breaks of a CSV, an upper bound; the declared dimension of an XLSX sheet, or its
    size when it declares none)."""
    if size > async_threshold_bytes():
        return True
    if content is None:
        return False
    return estimated_rows(content) > async_threshold_rows()


def estimated_rows(content: bytes) -> int:
    if content.startswith(b"PK\x03\x04"):
        return _xlsx_declared_rows(content)
    return max(content.count(b"\n") - 1, 0)  # UTF-16 too: each line break has one 0x0a byte


def _xlsx_declared_rows(content: bytes) -> int:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # unreadable: the import itself says why, quickly
        return 0
    try:
        declared = book.active.max_row
    finally:
        book.close()
    # Without a dimension, assume rows as small as XLSX makes them (~20 bytes compressed).
    return declared - 1 if declared else len(content) // 20


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
