"""ListingResource: the import-export adapter over listings.imports (preview, confirm, bulk
mode, export neutralisation)."""

import io
from decimal import Decimal

import openpyxl
import pytest
import tablib
from django.db import connection
from import_export.formats.base_formats import CSV, XLSX

from backoffice.resources.listings import ListingCSV, ListingResource, neutralise
from listings import imports
from listings.imports import ImportFileError
from listings.models import Listing
from tests.factories import AmenityFactory, ListingFactory

pytestmark = pytest.mark.django_db

HEADERS = ["External ID", "title", "city", "country", "nightly_price", "currency", "amenities"]


def dataset(*rows):
    data = tablib.Dataset(headers=HEADERS)
    for external_id, price in rows:
        data.append([external_id, f"Flat {external_id}", "Porto", "PT", price, "EUR", "wifi"])
    return data


@pytest.fixture(autouse=True)
def wifi():
    return AmenityFactory(slug="wifi")


def test_preview_lists_each_row_kind_and_writes_nothing(host):
    ListingFactory(host=host, external_id="OLD", title="Old", city="Porto", country="PT")

    result = ListingResource().import_data(
        dataset(("NEW", "80"), ("OLD", "90"), ("BAD", "-")), dry_run=True, user=host
    )

    assert [r.import_type for r in result.rows] == ["new", "update", "invalid"]
    assert result.totals["new"] == 1 and result.totals["invalid"] == 1
    (invalid,) = result.invalid_rows
    assert invalid.number == 3
    assert invalid.field_specific_errors == {
        "nightly_price": ["'-' is not a number (use a dot for decimals, e.g. "
                          "120.50, and no currency sign)."]
    }  # fmt: skip
    assert list(Listing.objects.values_list("external_id", flat=True)) == ["OLD"]


def test_confirm_with_an_invalid_row_writes_nothing(host):
    result = ListingResource().import_data(
        dataset(("A1", "80"), ("A2", "80"), ("A1", "80")), dry_run=False, user=host
    )
    assert result.has_validation_errors()
    assert "Duplicate external_id 'A1'" in result.invalid_rows[0].error_dict["external_id"][0]
    assert not Listing.objects.exists()


def test_confirm_writes_every_row_with_history(host):
    result = ListingResource().import_data(
        dataset(("A1", "80"), ("A2", "70.5")), dry_run=False, user=host
    )

    assert not result.has_errors() and not result.has_validation_errors()
    assert Listing.objects.get(external_id="A2").nightly_price == Decimal("70.50")
    for listing in Listing.objects.all():
        record = listing.history.get()
        assert (record.history_user, record.history_actor) == (host, "user:host@example.test")
        assert [a.amenity.slug for a in record.amenities.all()] == ["wifi"]


def test_a_file_error_is_reported_once_and_writes_nothing(host):
    data = tablib.Dataset(headers=["external_id", "price"])
    data.append(["A1", "10"])

    result = ListingResource().import_data(data, dry_run=False, user=host)

    assert result.has_errors() and not result.rows
    assert "Unknown column(s): price" in str(result.base_errors[0].error)
    assert not Listing.objects.exists()


def test_bulk_mode_imports_2000_rows_in_a_bounded_number_of_queries(
    host, django_assert_max_num_queries
):
    ListingFactory(host=host, external_id="R1", title="Old", city="Porto", country="PT")
    data = dataset(*[(f"R{n}", "80") for n in range(2000)])

    # Per-row saves would need more than 4,000 queries (listing, history, amenities). In bulk:
    # a handful of loads, then batches of 1,000 rows on PostgreSQL (36 statements, savepoints
    # included). SQLite caps a statement at 999 parameters, so Django splits each batch into
    # ~30-row inserts there.
    limit = 40 if connection.vendor == "postgresql" else 400
    with django_assert_max_num_queries(limit):
        result = ListingResource().import_data(data, dry_run=False, user=host)

    assert result.totals["new"] == 1999 and result.totals["update"] == 1
    assert Listing.objects.filter(host=host).count() == 2000
    assert Listing.history.model.objects.count() == 2001  # the factory's + one per write


# --- export ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("==cmd", "'==cmd"),
        ("+1+cmd", "'+1+cmd"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=cmd", "'\t=cmd"),
        ("-9.14", "-9.14"),
        ("Sea view", "Sea view"),
        (Decimal("-9.14"), Decimal("-9.14")),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def hostile_listing(host):
    listing = ListingFactory(host=host, external_id="=HYPERLINK(\"http://x\")",
                             title="=cmd|' /C calc'!A0", city="@SUM(1+1)", country="PT",
                             longitude=Decimal("-9.140000"))  # fmt: skip
    listing.amenities.set([AmenityFactory(slug="wifi")])
    return listing


def test_csv_export_neutralises_formula_cells(host):
    hostile_listing(host)
    data = ListingResource().export(Listing.objects.all())

    text = CSV().export_data(data)

    assert "'=cmd|' /C calc'!A0" in text and "'@SUM(1+1)" in text
    assert "'=HYPERLINK" in text
    assert ",-9.140000," in text  # a negative number stays a number
    assert ",wifi," in text and ",host@example.test," in text


def test_xlsx_export_neutralises_formula_cells(host):
    hostile_listing(host)
    content = XLSX().export_data(ListingResource().export(Listing.objects.all()))

    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    header, values = [c.value for c in sheet[1]], [c.value for c in sheet[2]]
    row = dict(zip(header, values, strict=True))
    assert row["title"] == "'=cmd|' /C calc'!A0"
    assert all(c.data_type != "f" for c in sheet[2])  # no cell is a formula


def test_an_export_reimports_unchanged(host):
    hostile_listing(host)
    ListingFactory(host=host, external_id="B2", weekend_price=None)
    exported = CSV().export_data(ListingResource().export(Listing.objects.all()))

    data = ListingCSV().create_dataset(exported.encode())
    result = ListingResource().import_data(data, dry_run=False, user=host)

    assert [r.import_type for r in result.rows] == ["skip", "skip"]
    assert Listing.objects.get(external_id="B2").history.count() == 1


def test_export_reads_in_a_constant_number_of_queries(host, django_assert_num_queries):
    for n in range(30):
        ListingFactory(host=host, external_id=f"E{n}").amenities.set([AmenityFactory(slug="wifi")])
    with django_assert_num_queries(3):  # listings+hosts, amenities, pagination count
        ListingResource().export(Listing.objects.all())


def test_csv_format_explains_a_latin1_file():
    with pytest.raises(ImportFileError, match="not UTF-8"):
        ListingCSV().create_dataset("external_id,city\nA1,Málaga\n".encode("latin-1"))


def test_the_downloadable_template_imports_cleanly(host):
    from django.conf import settings

    AmenityFactory(slug="kitchen")
    path = settings.BASE_DIR / "static" / "backoffice" / "listings-import-template.csv"
    data = ListingCSV().create_dataset(path.read_bytes())
    assert data.headers == list(imports.IMPORT_COLUMNS)

    result = ListingResource().import_data(data, dry_run=False, user=host)

    assert [r.import_type for r in result.rows] == ["new"]
    listing = Listing.objects.get(host=host, external_id="PORTO-01")
    assert (listing.weekend_price, listing.instant_book) == (Decimal("120.00"), True)


def test_xlsx_export_keeps_numbers_as_numbers(host):
    """The library's IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT would turn every cell into text;
    it is off because ListingResource neutralises formula-like text itself."""
    hostile_listing(host)
    # force_native_type: what the admin's export view passes for binary formats such as XLSX
    data = ListingResource().export(Listing.objects.all(), force_native_type=True)
    content = XLSX().export_data(data)

    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet.cell(2, 1 + [c.value for c in sheet[1]].index("title")).value.startswith("'=")
    cells = dict(zip([c.value for c in sheet[1]], sheet[2], strict=True))
    assert cells["max_guests"].data_type == "n"
    assert cells["max_guests"].value == 4
    assert cells["longitude"].data_type == "n"  # a negative number, not neutralised text


def test_import_size_limits_are_declared_settings():
    from django.conf import settings

    assert settings.IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT is False
    assert settings.LISTING_IMPORT_MAX_BYTES == 20 * 1024 * 1024
    assert settings.LISTING_IMPORT_ASYNC_BYTES == 2 * 1024 * 1024
