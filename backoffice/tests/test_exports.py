"""Every back-office export neutralises formula-like cells, not only the listings one."""

import io

import openpyxl
import pytest
from django.urls import reverse

from backoffice.sites import site
from bookings.models import Booking
from reviews.models import Review
from tests.factories import ListingFactory, ReviewFactory, UserFactory, make_booking

pytestmark = pytest.mark.django_db

CMD = "=cmd|' /C calc'!A0"
LINK = '=HYPERLINK("http://evil.example","click")'


def export(client, model, extension):
    """POST the admin's export form for `model` in the format with `extension`."""
    model_admin = site._registry[model]
    formats = [f().get_extension() for f in model_admin.get_export_formats()]
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_export")
    response = client.post(url, {"format": str(formats.index(extension)), "resource": "0"})
    assert response.status_code == 200, response.content[:500]
    return response.content


def xlsx_cells(content):
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    cells = [c for row in sheet.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)  # no cell is a formula
    return [c.value for c in cells]


@pytest.fixture
def hostile_booking(host):
    listing = ListingFactory(host=host, title="+SUM(1,2)")
    return make_booking(listing=listing, guest=UserFactory(first_name=CMD, last_name=""))


@pytest.fixture
def hostile_review(host):
    review = ReviewFactory(booking=make_booking(listing=ListingFactory(host=host)), comment=LINK)
    return review


def test_booking_csv_export_neutralises_guest_names_and_titles(as_staff, hostile_booking):
    text = export(as_staff, Booking, "csv").decode()
    assert f"'{CMD}" in text
    assert "'+SUM(1,2)" in text
    assert f",{CMD}" not in text


def test_booking_xlsx_export_neutralises_guest_names(as_staff, hostile_booking):
    values = xlsx_cells(export(as_staff, Booking, "xlsx"))
    assert f"'{CMD}" in values and CMD not in values
    assert "'+SUM(1,2)" in values


def test_review_exports_neutralise_comments(as_staff, hostile_review):
    assert "'=HYPERLINK" in export(as_staff, Review, "csv").decode()
    values = xlsx_cells(export(as_staff, Review, "xlsx"))
    assert f"'{LINK}" in values and LINK not in values


def test_a_declared_resource_without_the_safe_base_is_wrapped(hostile_booking):
    from import_export import resources

    from backoffice.resources.export import SafeExportResource, safe_export_resource

    class Plain(resources.ModelResource):
        class Meta:
            model = Booking
            fields = ("id", "guest__first_name")

    safe = safe_export_resource(Plain, Booking)
    assert issubclass(safe, SafeExportResource)
    assert safe().export(Booking.objects.all())[0][1] == f"'{CMD}"
