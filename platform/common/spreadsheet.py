"""Cells a spreadsheet opens: one rule against formula injection, for every export and import.

A spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return before them)
as a formula, so a guest's name "=HYPERLINK(...)" in an export could run on a staff member's
machine. Such text leaves with a leading apostrophe, which spreadsheets show as text and do
not keep. Numbers stay numbers: "-9.14" or "+5" is a value, not a formula, and must still add
up in the sheet. An import takes the apostrophe off again, so an export re-imports unchanged.
"""

import re

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def neutralise(value):
    """`value` made inert in a spreadsheet: formula-like text gets a leading apostrophe; plain
    numbers (also as text, e.g. "-5") and non-text values are returned unchanged.

    (django-import-export's IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT is not enough: it only
    strips one leading "=", so "==cmd", "+cmd" and "@SUM()" pass through.)"""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_PREFIXES)
        and not _NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def csv_cell(value) -> str:
    """A value as a CSV cell: text, neutralised; None is an empty cell."""
    return neutralise("" if value is None else str(value))


def unneutralise(text: str) -> str:
    """An imported cell without the apostrophe an export put before formula-like text."""
    if text.startswith("'") and text[1:2] in FORMULA_PREFIXES:
        return text[1:]
    return text
