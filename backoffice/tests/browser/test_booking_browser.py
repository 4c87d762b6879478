"""A host answers a request from the booking's own page, in a real browser."""

import pytest

from bookings.models import Booking
from tests.factories import HostFactory, ListingFactory, UserFactory, future, make_booking

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_accept_button_on_a_booking_page_accepts_the_request(login, shot):
    host = HostFactory(email="host@example.com", first_name="Hannah")
    listing = ListingFactory(host=host, title="Harbour loft", instant_book=False,
                             weekend_price="150.00")  # fmt: skip
    booking = make_booking(listing=listing, guest=UserFactory(first_name="Gina"),
                           check_in=future(30), nights=4)  # fmt: skip
    page = login(host.email)
    page.goto(f"/admin/bookings/booking/{booking.pk}/change/")
    page.wait_for_selector("#price-table", timeout=30_000)
    assert "Total the guest pays" in page.inner_text("#price-table")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1400
    shot("booking-page")
    page.click(f'a[href$="/{booking.pk}/accept/"]')
    page.wait_for_selector("#confirm-action", timeout=30_000)
    assert "Accept this request?" in page.inner_text("#confirm-title")
    page.click("#confirm-action")
    page.wait_for_selector("text=1 request accepted.", timeout=30_000)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.PENDING_PAYMENT
    assert f"/admin/bookings/booking/{booking.pk}/change/" in page.url
