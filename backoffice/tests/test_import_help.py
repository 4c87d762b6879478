"""Next to the import form: the template in CSV and XLSX, the amenity slugs a host may use,
and a result that speaks of no deletion."""

import io

import openpyxl
import pytest
from django.urls import reverse

from tests.factories import AmenityFactory

pytestmark = pytest.mark.django_db


def test_the_import_page_links_both_templates_and_the_amenity_slugs(as_host):
    body = as_host.get(reverse("admin:listings_listing_import")).content.decode()
    xlsx, slugs = reverse("admin:listing_import_template_xlsx"), reverse("admin:amenity_slugs")
    for url in ("/static/backoffice/listings-import-template.csv", xlsx, slugs):
        assert f'href="{url}"' in body


def test_the_xlsx_template_has_the_csv_templates_columns(as_host):
    response = as_host.get(reverse("admin:listing_import_template_xlsx"))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["external_id", "host_email", "title"] and "amenities" in header
    assert sheet.max_row == 2  # the example row


def test_hosts_read_the_amenity_slugs_moderators_do_not(as_host, as_moderator):
    AmenityFactory(name="Sauna", slug="sauna")
    body = as_host.get(reverse("admin:amenity_slugs")).content.decode()
    assert "<code>sauna</code>" in body
    assert as_moderator.get(reverse("admin:amenity_slugs")).status_code == 403
    assert as_moderator.get(reverse("admin:listing_import_template_xlsx")).status_code == 403
