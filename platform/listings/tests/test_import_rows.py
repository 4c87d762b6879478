"""Row evaluation on its own (listings.imports.rows.ListingRows): what each row would do, or
every reason it cannot, without reading a file or writing anything."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission

from listings.imports import ListingRows, RowKind
from listings.models import Listing
from tests.factories import AmenityFactory, HostFactory, ListingFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADERS = ["external_id", "host_email", "title", "city", "country", "nightly_price",
           "max_guests", "amenities"]  # fmt: skip


@pytest.fixture
def host():
    AmenityFactory(slug="wifi")
    return HostFactory(email="host@example.test")


def cells(external_id="A1", **values):
    return {"external_id": external_id, "title": "Flat", "city": "Porto", "country": "PT",
            "nightly_price": "80", "max_guests": "2", "amenities": "wifi", **values}  # fmt: skip


def test_a_row_with_several_problems_reports_them_all(host):
    rows = ListingRows(user=host, headers=HEADERS)

    outcome = rows.evaluate(
        cells(host_email="someone@else.test", title="", nightly_price="cheap",
              max_guests="0", country="Portugal", amenities="wifi, sauna"), 1,
    )  # fmt: skip

    assert outcome.kind == RowKind.INVALID
    assert list(outcome.errors) == ["host_email", "title", "country", "max_guests",
                                    "nightly_price", "amenities"]  # fmt: skip
    assert "only import listings into your own account" in outcome.errors["host_email"][0]
    assert outcome.errors["title"] == ["title is required."]
    assert outcome.errors["nightly_price"][0].startswith("nightly_price: 'cheap' is not a number")
    assert outcome.errors["max_guests"][0].startswith("max_guests: Ensure this value is greater")
    assert outcome.errors["amenities"] == ["Unknown amenity: sauna."]


def test_rows_are_new_updated_or_unchanged_and_nothing_is_written(host):
    ListingFactory(host=host, external_id="OLD", title="Flat", city="Porto", country="PT",
                   nightly_price=Decimal("80"), max_guests=2)  # fmt: skip
    rows = ListingRows(user=host, headers=[h for h in HEADERS if h != "amenities"])

    new, same = rows.evaluate(cells("NEW"), 1), rows.evaluate(cells("OLD"), 2)
    changed = rows.evaluate(cells("OLD", nightly_price="95"), 3)

    assert (new.kind, same.kind) == (RowKind.NEW, RowKind.UNCHANGED)
    assert changed.kind == RowKind.INVALID  # the same reference twice in one file
    assert Listing.objects.count() == 1 and new.listing.host == host
    rows = ListingRows(user=host, headers=[h for h in HEADERS if h != "amenities"])
    updated = rows.evaluate(cells("OLD", nightly_price="95"), 1)
    assert updated.kind == RowKind.UPDATED
    assert updated.changes == [("nightly_price", "80.00", "95")]


def test_who_may_name_another_host_is_the_core_rule(host):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(codename="add_listing"))
    row = cells(host_email=host.email)

    without_change = ListingRows(user=staff, headers=HEADERS, rows=[row]).evaluate(row, 1)
    staff.user_permissions.add(*Permission.objects.filter(codename="change_listing"))
    staff = type(staff).objects.get(pk=staff.pk)  # permissions are cached per instance
    with_change = ListingRows(user=staff, headers=HEADERS, rows=[row]).evaluate(row, 1)

    assert without_change.kind == RowKind.INVALID and "host_email" in without_change.errors
    assert with_change.kind == RowKind.NEW and with_change.listing.host == host


def test_a_nul_character_is_a_row_error_not_a_failed_write(host):
    outcome = ListingRows(user=host, headers=HEADERS).evaluate(cells(title="Fl\x00at"), 1)
    assert outcome.errors == {"title": ["title: the cell contains a NUL character."]}
