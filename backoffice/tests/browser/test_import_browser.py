"""The listing import in a real browser: a file with one bad row shows the error in the preview
and writes nothing; a clean one writes everything, with history."""

import pytest

from listings.models import Listing
from tests.factories import AmenityFactory, HostFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = "external_id,title,city,country,nightly_price,amenities\n"


def upload(page, text: str):
    page.goto("/admin/listings/listing/import/")
    page.set_input_files(
        "input[name=import_file]",
        files=[{"name": "listings.csv", "mimeType": "text/csv", "buffer": text.encode()}],
    )
    page.select_option("select[name=format]", label="csv")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()


def test_a_bad_row_is_shown_in_the_preview_and_nothing_is_written(login, page, shot):
    host = HostFactory(email="host@example.com")
    AmenityFactory(slug="wifi")
    login(host.email)

    upload(page, HEADER + "A1,Sea flat,Porto,PT,80,wifi\nA2,River flat,Porto,PT,cheap,wifi\n")

    assert "'cheap' is not a number (use a dot for decimals" in page.inner_text("body")
    assert page.locator("input[name=import_file_name]").count() == 0  # no confirm form
    shot("import-preview-invalid-row")
    assert not Listing.objects.exists()


def test_a_clean_file_is_written_with_history(login, page, shot):
    host = HostFactory(email="host@example.com")
    AmenityFactory(slug="wifi")
    login(host.email)

    upload(page, HEADER + "A1,Sea flat,Porto,PT,80,wifi\nA2,River flat,Porto,PT,95.5,\n")
    shot("import-preview-clean")
    page.locator("input[name=import_file_name]").locator("xpath=ancestor::form").locator(
        "button[type=submit]"
    ).last.click()
    page.wait_for_url("**/admin/listings/listing/")

    assert set(Listing.objects.values_list("external_id", flat=True)) == {"A1", "A2"}
    for listing in Listing.objects.all():
        record = listing.history.get()
        assert (record.history_user, record.history_actor) == (host, "user:host@example.com")
    assert "Sea flat" in page.content()
    shot("import-done")
