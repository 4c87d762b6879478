"""The host's calendar in a real browser: a booking shows as a bar, and selecting nights with
two clicks then "Block these nights" blocks exactly them."""

from datetime import timedelta

import pytest

from calendars.models import HostBlock
from tests.factories import HostFactory, ListingFactory, UserFactory, future, make_booking

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_host_sees_the_booking_and_blocks_nights_by_selecting_them(login, shot):
    host = HostFactory(email="host@example.com", first_name="Hannah")
    loft = ListingFactory(host=host, title="Harbour loft", city="Porto")
    ListingFactory(host=host, title="Garden cabin", city="Sintra")
    first = future(40).replace(day=1)  # a month wholly ahead
    guest = UserFactory(first_name="Gina")
    make_booking(listing=loft, guest=guest, check_in=first + timedelta(days=2), nights=3)

    page = login(host.email)
    page.goto(f"/admin/calendar/{loft.pk}/?month={first:%Y-%m}")
    page.wait_for_selector("#listing-calendar[data-ready=true]", timeout=30_000)
    bar = page.locator('.bo-bar[data-kind="booking"] a').first
    assert bar.inner_text().startswith("Gina")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1400

    night = first + timedelta(days=10)
    last = first + timedelta(days=12)
    page.click(f'td[data-date="{night.isoformat()}"]')
    page.click(f'td[data-date="{last.isoformat()}"]')
    page.wait_for_selector("#listing-calendar[data-selected-nights='3']", timeout=30_000)
    assert page.input_value("#id_start") == night.isoformat()
    assert page.input_value("#id_end") == (last + timedelta(days=1)).isoformat()
    page.select_option("#id_op", "block")
    page.fill("#id_note", "Painting")
    shot("calendar-month-selection")
    page.click("#calendar-submit")
    page.wait_for_selector("text=3 nights blocked.", timeout=30_000)
    page.wait_for_selector('.bo-bar[data-kind="block"]', timeout=30_000)
    block = HostBlock.objects.get(listing=loft)
    assert (block.start, block.end, block.note) == (night, last + timedelta(days=1), "Painting")
    shot("calendar-month")

    page.goto(f"/admin/calendar/?start={first.isoformat()}&days=31")
    page.wait_for_selector("#timeline-grid", timeout=30_000)
    rows = page.locator("#timeline-grid tbody tr")
    assert rows.count() == 2
    assert "Gina" in page.locator(f'tr[data-listing="{loft.pk}"]').inner_text()
    shot("calendar-timeline")
