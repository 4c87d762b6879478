"""The listing import rules (listings.imports), through the real database.

Files are built as bytes, exactly as an upload arrives, and go through listing_import_file."""

import csv
import io
import time
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth.models import Permission

from accounts.roles import is_host
from common.actor import acting_as
from common.errors import ValidationFailed
from listings import imports
from listings.imports import ImportFileError, RowKind, listing_import_file
from listings.models import Amenity, Listing, ListingImportJob
from tests.factories import AmenityFactory, HostFactory, ListingFactory, UserFactory

pytestmark = pytest.mark.django_db

COLUMNS = ["external_id", "title", "city", "country", "nightly_price", "currency",
           "max_guests", "amenities"]  # fmt: skip


def row(external_id="A1", **overrides):
    values = {
        "external_id": external_id, "title": f"Flat {external_id}", "city": "Porto",
        "country": "pt", "nightly_price": "80.00", "currency": "EUR", "max_guests": "3",
        "amenities": "wifi, kitchen",
    }  # fmt: skip
    values.update(overrides)
    return values


def csv_bytes(rows, columns=None, delimiter=",", encoding="utf-8") -> bytes:
    columns = columns or list(rows[0]) if rows else COLUMNS
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, delimiter=delimiter, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(rows[0]))
    for values in rows:
        sheet.append(list(values.values()))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def host():
    return HostFactory(email="host@example.test")


@pytest.fixture(autouse=True)
def amenities():
    return [AmenityFactory(slug=slug) for slug in ("wifi", "kitchen", "pool")]


@pytest.fixture
def staff():
    user = UserFactory(email="ops@example.test", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_listing", "change_listing"])
    )
    return user


# --- Preview and all-or-nothing ----------------------------------------------------------------


def test_dry_run_classifies_every_row_and_writes_nothing(host):
    same = ListingFactory(host=host, external_id="SAME", title="Flat SAME", city="Porto",
                          country="PT", nightly_price=Decimal("80"), max_guests=3)  # fmt: skip
    same.amenities.set(Amenity.objects.filter(slug__in=["wifi", "kitchen"]))
    ListingFactory(host=host, external_id="CHG", title="Old title", city="Porto", country="PT")
    content = csv_bytes([row("NEW"), row("SAME"), row("CHG"), row("BAD", nightly_price="cheap")])

    report = listing_import_file(user=host, content=content, dry_run=True)

    kinds = {o.external_id: o.kind for o in report.outcomes}
    assert kinds == {"NEW": RowKind.NEW, "SAME": RowKind.UNCHANGED, "CHG": RowKind.UPDATED,
                     "BAD": RowKind.INVALID}  # fmt: skip
    assert report.counts == {"new": 1, "updated": 1, "unchanged": 1, "invalid": 1}
    assert report.invalid[0].number == 4
    assert "nightly_price: 'cheap' is not a number" in report.invalid[0].message
    assert not report.written
    assert Listing.objects.filter(host=host).count() == 2
    assert Listing.objects.get(external_id="CHG").title == "Old title"


def test_one_invalid_row_means_nothing_is_written(host):
    content = csv_bytes([row("A1"), row("A2"), row("A3", title="")])

    report = listing_import_file(user=host, content=content)

    assert report.counts["invalid"] == 1 and not report.written
    assert not Listing.objects.exists()


def test_write_refuses_a_plan_with_invalid_rows(host):
    dataset = imports.read_listing_file(csv_bytes([row("A1"), row("A2", currency="XXX")]))
    plan = imports.ListingImport(user=host, dataset=dataset)

    with pytest.raises(ValidationFailed, match="1 row\\(s\\) are invalid; nothing was imported"):
        plan.write()
    assert not Listing.objects.exists()


def test_clean_file_writes_every_row_with_history_by_the_importer(host):
    content = csv_bytes([row("A1"), row("A2", amenities="pool")])

    report = listing_import_file(user=host, content=content)

    assert report.written and report.counts["new"] == 2
    listing = Listing.objects.get(host=host, external_id="A1")
    assert (listing.title, listing.country, listing.status) == ("Flat A1", "PT", "draft")
    assert sorted(a.slug for a in listing.amenities.all()) == ["kitchen", "wifi"]
    record = listing.history.get()
    assert (record.history_type, record.history_user, record.history_actor) == (
        "+", host, "user:host@example.test")  # fmt: skip
    assert sorted(a.amenity.slug for a in record.amenities.all()) == ["kitchen", "wifi"]
    assert is_host(host)


def test_the_cyclic_collector_is_paused_while_an_import_runs_only(host, monkeypatch):
    import gc

    from listings.imports import writing

    seen = []
    write = writing.write_listings

    def watched(*args, **kwargs):
        seen.append(gc.isenabled())
        return write(*args, **kwargs)

    monkeypatch.setattr(imports.service, "write_listings", watched)
    assert gc.isenabled()

    assert listing_import_file(user=host, content=csv_bytes([row("A1")])).written
    with pytest.raises(ValidationFailed):
        imports.service.ListingImport(user=host, dataset=imports.read_listing_file(
            csv_bytes([row("A2", nightly_price="x")]), "a.csv")).write()  # fmt: skip

    assert seen == [False] and gc.isenabled()


def test_reimport_updates_by_external_id_with_history(host):
    listing_import_file(user=host, content=csv_bytes([row("A1"), row("A2")]))
    first_id = Listing.objects.get(external_id="A1").pk

    report = listing_import_file(
        user=host, content=csv_bytes([row("A1", nightly_price="95.5", amenities="pool"), row("A2")])
    )

    assert report.counts == {"new": 0, "updated": 1, "unchanged": 1, "invalid": 0}
    listing = Listing.objects.get(external_id="A1")
    assert listing.pk == first_id and listing.nightly_price == Decimal("95.50")
    assert [a.slug for a in listing.amenities.all()] == ["pool"]
    latest = listing.history.first()
    assert latest.history_type == "~" and latest.history_user == host
    assert [a.amenity.slug for a in latest.amenities.all()] == ["pool"]
    assert Listing.objects.get(external_id="A2").history.count() == 1  # unchanged: no history


def test_a_column_absent_from_the_file_is_left_as_it_is(host):
    ListingFactory(host=host, external_id="A1", title="Keep me", nightly_price=Decimal("50"))

    content = csv_bytes([{"external_id": "A1", "nightly_price": "70"}])
    report = listing_import_file(user=host, content=content)

    assert report.counts["updated"] == 1
    listing = Listing.objects.get(external_id="A1")
    assert (listing.title, listing.nightly_price) == ("Keep me", Decimal("70.00"))


def test_history_actor_is_the_importer_even_inside_another_actor(host):
    with acting_as("some_command"):
        listing_import_file(user=host, content=csv_bytes([row("A1")]))
    assert Listing.objects.get().history.get().history_actor == "user:host@example.test"


# --- Host scoping ------------------------------------------------------------------------------


def test_a_host_imports_into_their_own_account(host):
    content = csv_bytes([row("A1", host_email=""), row("A2", host_email="HOST@example.test")])
    report = listing_import_file(user=host, content=content)
    assert report.written
    assert set(Listing.objects.values_list("host__email", flat=True)) == {"host@example.test"}


def test_a_host_cannot_import_into_someone_elses_account(host):
    other = HostFactory(email="other@example.test")
    content = csv_bytes([row("A1", host_email=other.email)])

    report = listing_import_file(user=host, content=content)

    assert "only import listings into your own account" in report.invalid[0].message
    assert not Listing.objects.exists()


def test_a_host_only_updates_their_own_listing_with_that_reference(host):
    other_listing = ListingFactory(external_id="A1", title="Someone else's")

    listing_import_file(user=host, content=csv_bytes([row("A1")]))

    other_listing.refresh_from_db()
    assert other_listing.title == "Someone else's"
    assert Listing.objects.get(host=host).external_id == "A1"


def test_staff_match_hosts_by_email(staff, host):
    guest = UserFactory(email="newhost@example.test")
    content = csv_bytes(
        [row("A1", host_email="Host@Example.test"), row("A1", host_email=guest.email)]
    )

    report = listing_import_file(user=staff, content=content)

    assert report.written  # the same reference under two hosts is two listings
    assert Listing.objects.get(host=host).external_id == "A1"
    assert Listing.objects.get(host=guest).history.get().history_user == staff
    assert is_host(guest)


def test_staff_must_name_a_known_host(staff):
    content = csv_bytes([row("A1", host_email=""), row("A2", host_email="ghost@example.test")])
    report = listing_import_file(user=staff, content=content)
    messages = [o.message for o in report.invalid]
    assert messages == ["host_email is required for staff imports.",
                        "Unknown host: no user has the email ghost@example.test."]  # fmt: skip


# --- One clear message per invalid row ---------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"nightly_price": "12,50"}, "nightly_price", "nightly_price: '12,50' is not a number"),
        ({"nightly_price": "0"}, "nightly_price", "greater than or equal to 1"),
        ({"amenities": "wifi; jacuzzi"}, "amenities", "Unknown amenity: jacuzzi."),
        ({"title": "  "}, "title", "title is required."),
        ({"currency": "XXX"}, "currency", "currency: Unsupported currency: XXX."),
        ({"max_guests": "-2"}, "max_guests", "max_guests cannot be negative (got -2)."),
        ({"max_guests": "0"}, "max_guests", "max_guests: Ensure this value is greater"),
        ({"max_guests": "three"}, "max_guests", "max_guests: 'three' is not a whole number."),
        ({"external_id": ""}, "external_id", "external_id is required"),
        ({"country": "Portugal"}, "country", "country: Ensure this value has at most 2"),
    ],
)
def test_each_invalid_row_gets_a_clear_message(host, overrides, field, message):
    report = listing_import_file(
        user=host, content=csv_bytes([row("OK"), {**row("X"), **overrides}])
    )

    (invalid,) = report.invalid
    assert invalid.number == 2 and field in invalid.errors
    assert message in invalid.message
    assert not Listing.objects.exists()


def test_duplicate_external_id_within_the_file(host):
    report = listing_import_file(user=host, content=csv_bytes([row("A1"), row("A2"), row("A1")]))
    (invalid,) = report.invalid
    assert invalid.number == 3
    assert invalid.message == "Duplicate external_id 'A1' in the file (first on row 1)."


def test_a_listing_the_api_refuses_is_refused(host):
    """min_nights > max_nights is a core rule (validate_listing), not an import rule."""
    columns = {**row("A1"), "min_nights": "10", "max_nights": "5"}
    report = listing_import_file(user=host, content=csv_bytes([columns]))
    assert report.invalid[0].message == "min_nights: Minimum nights cannot exceed maximum nights."


def test_a_failed_update_leaves_the_loaded_listing_untouched(host):
    ListingFactory(host=host, external_id="A1", title="Before", city="Porto", country="PT")
    dataset = imports.read_listing_file(csv_bytes([row("A1", title="After", currency="XXX")]))
    plan = imports.ListingImport(user=host, dataset=dataset)
    plan.evaluate()
    assert plan.existing[(host.pk, "A1")].title == "Before"


# --- Hostile files -----------------------------------------------------------------------------


def test_latin1_bytes_are_refused_with_the_line(host):
    content = csv_bytes([row("A1"), row("A2", city="Málaga")], encoding="latin-1")
    with pytest.raises(ImportFileError, match="not UTF-8 \\(byte 0xe1 on line 3"):
        listing_import_file(user=host, content=content)
    assert not Listing.objects.exists()


def test_utf16_with_a_byte_order_mark_is_read(host):
    content = csv_bytes([row("A1", city="Málaga")], delimiter="\t", encoding="utf-16")
    assert listing_import_file(user=host, content=content).written
    assert Listing.objects.get().city == "Málaga"


def test_utf16_without_a_byte_order_mark_is_refused(host):
    content = csv_bytes([row("A1")], encoding="utf-16-le")
    with pytest.raises(ImportFileError, match="UTF-16 without a byte-order mark"):
        listing_import_file(user=host, content=content)


def test_semicolon_delimited_file_with_a_utf8_bom_is_read(host):
    content = b"\xef\xbb\xbf" + csv_bytes([row("A1", amenities="wifi;pool")], delimiter=";")
    assert listing_import_file(user=host, content=content).written
    assert sorted(a.slug for a in Listing.objects.get().amenities.all()) == ["pool", "wifi"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"  \r\n\n", "The file is empty."),
        (b"external_id,title\n,\n", "header row but no listings"),
        (b"external_id|title\nA1|Flat\n", "Could not split the header"),
        (b"reference,title\nA1,Flat\n", "Unknown column(s): reference"),
        (b"title,city\nFlat,Porto\n", "needs an external_id column"),
        (b"external_id,title,title\nA1,a,b\n", "appear twice: title"),
        (b"external_id,title\nA1,Flat,extra,cells\n", "Row 1 has more cells than the header"),
        (b'external_id,title\nA1,"Flat\n', "The CSV is malformed"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old excel", "Old Excel (.xls)"),
        (b"PK\x03\x04 not really a zip", "damaged or is not an Excel file"),
    ],
)
def test_unreadable_files_get_a_clear_message(host, content, message):
    with pytest.raises(ImportFileError) as caught:
        listing_import_file(user=host, content=content)
    assert message in caught.value.message
    assert not Listing.objects.exists()


def test_a_50_mb_file_is_refused_by_size(host):
    content = csv_bytes([row("A1")]) + b"#" * (50 * 1024 * 1024)
    with pytest.raises(ImportFileError, match="The file is 50.0 MB; the limit is 20.0 MB"):
        listing_import_file(user=host, content=content)


def test_formula_like_cells_are_stored_as_text_and_export_quotes_come_off(host):
    content = csv_bytes([row("A1", title="=cmd|' /C calc'!A0"), row("A2", title="'@SUM(1)")])
    listing_import_file(user=host, content=content)
    titles = dict(Listing.objects.values_list("external_id", "title"))
    assert titles == {"A1": "=cmd|' /C calc'!A0", "A2": "@SUM(1)"}


def test_xlsx_is_read_including_numeric_cells(host):
    content = xlsx_bytes([row("A1", nightly_price=99.5, max_guests=4), row("A2")])
    report = listing_import_file(user=host, content=content, file_name="listings.xlsx")
    assert report.written
    listing = Listing.objects.get(external_id="A1")
    assert (listing.nightly_price, listing.max_guests) == (Decimal("99.50"), 4)


# --- Big files: the background job -------------------------------------------------------------


def test_a_job_imports_in_the_background_with_progress_and_history(
    host, django_capture_on_commit_callbacks
):
    content = csv_bytes([row(f"A{n}") for n in range(3)])
    with django_capture_on_commit_callbacks(execute=True):
        job = imports.listing_import_job_start(user=host, content=content, file_name="big.csv")

    job.refresh_from_db()
    assert job.status == ListingImportJob.Status.IMPORTED
    assert (job.total_rows, job.processed_rows, job.new_count) == (3, 3, 3)
    assert job.source is None and job.finished_at is not None
    assert Listing.objects.filter(host=host).count() == 3
    assert Listing.objects.first().history.get().history_actor == "user:host@example.test"


def test_a_job_with_invalid_rows_is_rejected_with_an_error_report(
    host, django_capture_on_commit_callbacks
):
    content = csv_bytes([row("A1"), row("A2", amenities="sauna")])
    with django_capture_on_commit_callbacks(execute=True):
        job = imports.listing_import_job_start(user=host, content=content, file_name="big.csv")

    job.refresh_from_db()
    assert job.status == ListingImportJob.Status.REJECTED
    assert job.error_report == [
        {"row": 2, "external_id": "A2", "errors": {"amenities": ["Unknown amenity: sauna."]}}
    ]
    assert not Listing.objects.exists()


def test_a_job_for_an_unreadable_file_fails_with_the_message(
    host, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = imports.listing_import_job_start(user=host, content=b"\n", file_name="x.csv")
    job.refresh_from_db()
    assert (job.status, job.message) == (ListingImportJob.Status.FAILED, "The file is empty.")


def test_a_dry_run_job_only_validates(host, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = imports.listing_import_job_start(
            user=host, content=csv_bytes([row("A1")]), file_name="x.csv", dry_run=True
        )
    job.refresh_from_db()
    assert job.status == ListingImportJob.Status.VALIDATED and job.new_count == 1
    assert not Listing.objects.exists()


def test_a_job_whose_worker_died_is_run_again_then_failed(host, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    content = csv_bytes([row("A1")])
    job = imports.listing_import_job_start(user=host, content=content, file_name="big.csv")
    dead = timezone.now() - timedelta(minutes=5)
    # a worker claimed it, then died: no heartbeat for five minutes
    ListingImportJob.objects.filter(pk=job.pk).update(status="running", attempts=1,
                                                      heartbeat_at=dead)  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        assert imports.listing_import_jobs_recover() == 1
    job.refresh_from_db()
    assert (job.status, job.attempts, job.new_count) == ("imported", 2, 1)

    again = imports.listing_import_job_start(user=host, content=content, file_name="b.csv")
    ListingImportJob.objects.filter(pk=again.pk).update(status="running", attempts=3,
                                                        heartbeat_at=dead)  # fmt: skip
    assert imports.listing_import_jobs_recover() == 1
    again.refresh_from_db()
    assert again.status == "failed" and "stopped 3 times" in again.message
    assert again.source is None


def test_a_pending_job_whose_message_was_lost_is_dispatched_again(
    host, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    job = imports.listing_import_job_start(user=host, content=csv_bytes([row("A1")]),
                                           file_name="big.csv")  # fmt: skip
    ListingImportJob.objects.filter(pk=job.pk).update(
        updated_at=timezone.now() - timedelta(minutes=5)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert imports.listing_import_jobs_recover() == 1
    job.refresh_from_db()
    assert job.status == "imported"
    assert imports.listing_import_jobs_recover() == 0


def test_an_updated_row_says_what_it_changes_old_and_new(host):
    listing = ListingFactory(host=host, external_id="CHG", title="Old title", city="Porto",
                             country="PT", nightly_price=Decimal("80"), max_guests=3)  # fmt: skip
    listing.amenities.set(Amenity.objects.filter(slug="wifi"))
    content = csv_bytes([row("CHG", title="New title", nightly_price="95.50",
                             amenities="wifi, pool")])  # fmt: skip
    (outcome,) = listing_import_file(user=host, content=content, dry_run=True).outcomes
    assert outcome.kind == RowKind.UPDATED
    assert outcome.changes == [
        ("title", "Old title", "New title"), ("nightly_price", "80.00", "95.50"),
        ("amenities", "wifi", "pool, wifi"),
    ]  # fmt: skip


# --- Hostile XLSX files: refused by bounded reading --------------------------------------------


def rezip(content: bytes, replaced: dict[str, bytes]) -> bytes:
    """The XLSX `content` with some zip members replaced or added."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            if info.filename not in replaced:
                target.writestr(info.filename, source.read(info.filename))
        for name, data in replaced.items():
            target.writestr(name, data)
    return out.getvalue()


def sheet_xml(rows_xml: str, dimension: str | None = None) -> bytes:
    dimension_xml = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{dimension_xml}<sheetData>{rows_xml}</sheetData></worksheet>"
    ).encode()


def inline_row(number: int, *values: str) -> str:
    cells = "".join(
        f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t>{v}</t></is></c>'
        for i, v in enumerate(values)
    )
    return f'<row r="{number}">{cells}</row>'


SHEET = "xl/worksheets/sheet1.xml"
HEADER_AND_ONE_ROW = inline_row(1, "external_id", "title") + inline_row(2, "A1", "Flat")


def test_a_hand_written_sheet_is_read(host):
    content = rezip(xlsx_bytes([row("A1")]), {SHEET: sheet_xml(HEADER_AND_ONE_ROW, "A1:B2")})
    dataset = imports.read_listing_file(content, "listings.xlsx")
    assert dataset.headers == ["external_id", "title"] and dataset[0] == ("A1", "Flat")


def test_a_sheet_whose_dimension_is_too_small_is_read_whole(host):
    rows_xml = HEADER_AND_ONE_ROW + inline_row(3, "A2", "Loft")
    content = rezip(xlsx_bytes([row("A1")]), {SHEET: sheet_xml(rows_xml, "A1:A1")})
    dataset = imports.read_listing_file(content, "listings.xlsx")
    assert [r[0] for r in dataset] == ["A1", "A2"]


@pytest.mark.parametrize("member", [SHEET, "xl/sharedStrings.xml"])
def test_a_zip_bomb_is_refused_before_it_is_inflated(host, settings, member):
    settings.LISTING_IMPORT_MAX_UNPACKED_BYTES = 4 * 1024 * 1024
    # 8 MB of one repeated cell (or of one shared string) deflates to a few KB
    if member == SHEET:
        data = sheet_xml(HEADER_AND_ONE_ROW + "<row/>" * (8 * 1024 * 1024 // 6))
    else:
        data = (
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'count="1" uniqueCount="1"><si><t>' + "x" * (8 * 1024 * 1024) + "</t></si></sst>"
        ).encode()
    content = rezip(xlsx_bytes([row("A1")]), {member: data})
    assert len(content) < 200 * 1024
    with pytest.raises(ImportFileError) as caught:
        listing_import_file(user=host, content=content, file_name="bomb.xlsx")
    assert caught.value.code == "import_file_too_big"
    assert "unpacks to 8.0 MB; the limit is 4.0 MB" in caught.value.message
    assert not Listing.objects.exists()


def test_the_default_unpacked_limit_refuses_a_250_mb_member(host):
    content = rezip(xlsx_bytes([row("A1")]), {"xl/padding.bin": b"\0" * (250 * 1024 * 1024)})
    with pytest.raises(ImportFileError, match="unpacks to 250.0 MB; the limit is 200.0 MB"):
        imports.read_listing_file(content, "bomb.xlsx")


def test_a_sheet_declaring_millions_of_rows_is_refused_before_reading(host):
    content = rezip(xlsx_bytes([row("A1")]), {SHEET: sheet_xml(HEADER_AND_ONE_ROW, "A1:H3000000")})
    with pytest.raises(ImportFileError) as caught:
        listing_import_file(user=host, content=content, file_name="rows.xlsx")
    assert caught.value.code == "import_file_too_big"
    assert "declares 2,999,999 rows under its header; the limit is 100,000" in (
        caught.value.message
    )


def test_millions_of_empty_rows_without_a_dimension_stop_at_the_row_limit(host):
    # one cell on row 5,000,000: openpyxl yields the 4,999,997 empty rows before it
    rows_xml = HEADER_AND_ONE_ROW + inline_row(5_000_000, "A2", "Far away")
    content = rezip(xlsx_bytes([row("A1")]), {SHEET: sheet_xml(rows_xml)})
    started = time.monotonic()
    with pytest.raises(ImportFileError, match="has more than 100,000 rows under its header"):
        listing_import_file(user=host, content=content, file_name="rows.xlsx")
    assert time.monotonic() - started < 60
    assert not Listing.objects.exists()


def test_a_csv_over_the_row_limit_is_refused(host, settings):
    settings.LISTING_IMPORT_MAX_ROWS = 3
    with pytest.raises(ImportFileError, match="has 4 rows under its header; the limit is 3"):
        listing_import_file(user=host, content=csv_bytes([row(f"A{i}") for i in range(4)]))
    assert listing_import_file(user=host, content=csv_bytes([row(f"A{i}") for i in range(3)]))


def test_an_import_job_and_the_role_it_gives_are_in_the_history_with_the_actor(
    staff, django_capture_on_commit_callbacks
):
    newcomer = UserFactory(email="new.host@example.test")
    content = csv_bytes([row("A1", host_email="new.host@example.test")])
    with django_capture_on_commit_callbacks(execute=True), acting_as(staff, ip="198.51.100.4"):
        job = imports.listing_import_job_start(user=staff, content=content, file_name="big.csv")
    job.refresh_from_db()
    assert job.status == ListingImportJob.Status.IMPORTED
    started, finished = job.history.order_by("history_date")
    assert (started.history_type, started.status) == ("+", "pending")
    assert (started.history_actor, started.history_ip) == ("user:ops@example.test", "198.51.100.4")
    assert (finished.status, finished.new_count) == ("imported", 1)
    assert finished.history_actor == "user:ops@example.test"
    assert is_host(newcomer)
    role_change = newcomer.history.latest()
    assert role_change.history_actor == "user:ops@example.test"
    assert {r.group.name for r in role_change.groups.all()} == {"Hosts"}


@pytest.mark.postgres
def test_the_bulk_write_holds_with_immediate_foreign_keys(host):
    """Listings are written before the amenity links that reference them, so the import does
    not depend on the foreign keys being deferred to the commit."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    ListingFactory(host=host, external_id="OLD", title="Old", city="Porto", country="PT")
    content = csv_bytes([row("NEW"), row("OLD", amenities="pool")])

    report = listing_import_file(user=host, content=content)

    assert report.written and report.counts["new"] == report.counts["updated"] == 1
    assert {a.slug for a in Listing.objects.get(external_id="NEW").amenities.all()} == {
        "wifi", "kitchen"}  # fmt: skip
    record = Listing.objects.get(external_id="OLD").history.first()
    assert [a.amenity.slug for a in record.amenities.all()] == ["pool"]
