"""One rule against spreadsheet formula injection (common.spreadsheet), table-driven."""

from decimal import Decimal

import pytest

from common.spreadsheet import csv_cell, neutralise, unneutralise


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+2", "'=1+2"),
        ("==cmd", "'==cmd"),
        ("+1+cmd", "'+1+cmd"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("\t=cmd", "'\t=cmd"),
        ("\r=cmd", "'\r=cmd"),
        ("-5", "-5"),  # a negative number is a value, not a formula
        ("-9.14", "-9.14"),
        ("+5", "+5"),
        ("Sea view", "Sea view"),
        ("", ""),
        (Decimal("-9.14"), Decimal("-9.14")),
        (-5, -5),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_csv_cell_is_text_and_keeps_negative_numbers():
    assert (csv_cell(None), csv_cell(-5), csv_cell("=x")) == ("", "-5", "'=x")


@pytest.mark.parametrize("text", ["=1+2", "+1+cmd", "@SUM(1)", "-cmd|x", "\t=cmd", "plain", "-5"])
def test_an_exported_cell_imports_back_unchanged(text):
    assert unneutralise(csv_cell(text)) == text


def test_an_apostrophe_before_ordinary_text_is_kept():
    assert unneutralise("'tis the season") == "'tis the season"
