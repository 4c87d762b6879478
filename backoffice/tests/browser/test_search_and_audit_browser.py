"""What a person does with the sidebar's search and the audit timeline's filters, in Chromium."""

import pytest

from accounts import roles
from calendars.services import host_block_create
from common.actor import acting_as
from tests.factories import HostFactory, ListingFactory, UserFactory, future

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sidebar_search_finds_a_listing_and_opens_it(page, login, shot):
    host = HostFactory(email="host@example.com", first_name="Hannah")
    loft = ListingFactory(host=host, title="Harbour loft", city="Porto")
    ListingFactory(host=HostFactory(), title="Harbour villa of someone else", city="Faro")
    login(host.email)
    search = page.locator("#nav-filter")
    search.click()
    search.press_sequentially("harbour", delay=30)
    results = page.locator("#search-results")
    results.get_by_text("Harbour loft").wait_for()
    assert "someone else" not in results.inner_text()  # only what this host may open
    shot("sidebar-search", full_page=False)
    results.get_by_text("Harbour loft").click()
    page.wait_for_url(f"**/admin/listings/listing/{loft.pk}/change/")
    assert page.locator("#id_title").input_value() == "Harbour loft"


def test_sidebar_search_enter_opens_the_first_record(page, login):
    host = HostFactory(email="host@example.com")
    cabin = ListingFactory(host=host, title="Garden cabin", city="Sintra")
    login(host.email)
    page.locator("#nav-filter").click()
    page.locator("#nav-filter").press_sequentially("sintra", delay=30)
    page.locator("#search-results").get_by_text("Garden cabin").wait_for()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/admin/listings/listing/{cabin.pk}/change/")


def test_audit_timeline_picks_a_person_by_name(page, login, shot):
    auditor = UserFactory(email="auditor@example.com", groups=[roles.AUDITORS])
    host = HostFactory(email="host@example.com", first_name="Hannah", last_name="Host")
    other = HostFactory(email="other@example.com", first_name="Otto", last_name="Other")
    loft = ListingFactory(host=host, title="Harbour loft")
    villa = ListingFactory(host=other, title="Beach villa")
    with acting_as(host):
        host_block_create(listing=loft, start=future(5), end=future(8), note="Painting",
                          actor=host)  # fmt: skip
    with acting_as(other):
        host_block_create(listing=villa, start=future(5), end=future(8), actor=other)
    login(auditor.email)
    page.goto("/admin/audit/")
    page.locator("#audit-filter .select2-selection").first.click()
    page.locator(".select2-search__field").fill("hann")
    page.locator(".select2-results__option", has_text="Hannah Host <host@example.com>").click()
    page.click("#audit-filter button[type=submit]")
    page.wait_for_url("**/admin/audit/?*person=*")
    table = page.inner_text("#audit-table")
    assert "Harbour loft" in table and "Beach villa" not in table
    rows = page.locator("#audit-table tbody tr")
    assert rows.count() == 1  # the block: once, not once more as an "occupancy"
    assert "Host block" in rows.first.inner_text() and "Painting" in rows.first.inner_text()
    shot("audit-timeline-by-person", full_page=False)
