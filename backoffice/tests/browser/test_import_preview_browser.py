"""The import preview tells the truth: a new row's values, an updated row's old -> new, and a
result that speaks of no deletion."""

import pytest

from listings.models import Listing
from tests.factories import AmenityFactory, HostFactory, ListingFactory

from .test_import_browser import HEADER, upload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_preview_shows_new_values_and_changes(login, page, shot):
    host = HostFactory(email="host@example.com")
    AmenityFactory(slug="wifi")
    ListingFactory(host=host, external_id="A1", title="Sea flat", city="Porto", country="PT",
                   nightly_price="80.00")  # fmt: skip
    login(host.email)
    page.goto("/admin/listings/listing/import/")
    page.wait_for_selector("#import-help", timeout=30_000)
    assert page.locator("#template-xlsx").count() == 1
    assert page.locator("#amenity-slugs-link").count() == 1

    upload(page, HEADER + "A1,Sea flat,Porto,PT,95.00,\nA2,River flat,Porto,PT,70,wifi\n")
    page.wait_for_selector("#import-preview", timeout=30_000)
    preview = page.inner_text("#import-preview")
    assert "1 new, 1 updated, 0 unchanged" in preview
    assert "80.00 → 95.00" in preview
    assert "River flat" in preview and "wifi" in preview
    assert page.evaluate("document.documentElement.scrollWidth") <= 1400
    shot("import-preview-changes")

    page.locator("input[name=import_file_name]").locator("xpath=ancestor::form").locator(
        "button[type=submit]"
    ).last.click()
    page.wait_for_selector("text=Import finished: 1 new, 1 updated, 0 unchanged listings.",
                           timeout=30_000)  # fmt: skip
    assert "deleted" not in page.inner_text("body")
    assert Listing.objects.get(external_id="A1").nightly_price == 95
