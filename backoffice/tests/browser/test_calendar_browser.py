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


def test_paging_months_keeps_the_place_on_the_page(login, page):
    """The arrows stay in reach (sticky) and page in place: the window keeps its scroll
    position, the address follows the month and Back returns to the month before."""
    host = HostFactory(email="host@example.com", first_name="Hannah")
    loft = ListingFactory(host=host, title="Harbour loft", city="Porto")
    first = future(40).replace(day=1)
    make_booking(listing=loft, guest=UserFactory(first_name="Gina"),
                 check_in=(first + timedelta(days=40)).replace(day=3), nights=2)  # fmt: skip
    login(host.email)
    page.set_viewport_size({"width": 1400, "height": 500})
    page.goto(f"/admin/calendar/{loft.pk}/?month={first:%Y-%m}")
    page.wait_for_selector("#listing-calendar[data-ready=true]")
    page.evaluate("window.scrollTo(0, 200); window.notReloaded = true")
    page.wait_for_function("window.scrollY === 200")
    page.click("#next-month")
    following = (first + timedelta(days=32)).replace(day=1)
    page.wait_for_function(
        "title => document.getElementById('month-title').textContent.trim() === title",
        arg=f"{following:%B %Y}",
    )
    assert page.evaluate("window.notReloaded") is True  # swapped in place, not reloaded
    assert page.evaluate("window.scrollY") == 200
    assert page.url.endswith(f"?month={following:%Y-%m}")
    assert page.locator('.bo-bar[data-kind="booking"] a').first.inner_text().startswith("Gina")
    # The swapped-in month takes selections like the first one did.
    night = following + timedelta(days=10)
    page.click(f'td[data-date="{night.isoformat()}"]')
    page.click(f'td[data-date="{(night + timedelta(days=1)).isoformat()}"]')
    page.wait_for_selector("#listing-calendar[data-selected-nights='2']")
    page.go_back()
    page.wait_for_function(
        "title => document.getElementById('month-title').textContent.trim() === title",
        arg=f"{first:%B %Y}",
    )
    assert page.evaluate("window.notReloaded") is True


def test_paging_the_timeline_keeps_its_horizontal_scroll(login, page):
    host = HostFactory(email="host@example.com")
    for n in range(3):
        ListingFactory(host=host, title=f"Flat {n}")
    login(host.email)
    page.set_viewport_size({"width": 900, "height": 700})
    start = future(3)
    page.goto(f"/admin/calendar/?start={start.isoformat()}&days=31")
    page.wait_for_selector("#timeline-grid")
    page.evaluate("document.querySelector('.bo-timeline-wrap').scrollLeft = 300;"
                  "window.notReloaded = true")  # fmt: skip
    page.click("#timeline-next")
    later = start + timedelta(days=31)
    page.wait_for_function(f"location.search.includes('start={later.isoformat()}')")
    page.wait_for_function("document.querySelector('.bo-timeline-wrap').scrollLeft === 300")
    assert page.evaluate("window.notReloaded") is True
