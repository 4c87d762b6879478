"""A host answers a guest's question from the booking page, in Chromium."""

import pytest

from messaging.models import Message
from messaging.services import conversation_start
from tests.factories import HostFactory, ListingFactory, UserFactory, future, make_booking

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_host_answers_the_guest_from_the_booking_page(page, login, shot):
    host = HostFactory(email="host@example.com", first_name="Hannah")
    loft = ListingFactory(host=host, title="Harbour loft")
    guest = UserFactory(first_name="Gina", last_name="Guest")
    booking = make_booking(listing=loft, guest=guest, check_in=future(20))
    conversation_start(actor=guest, booking=booking, body="Is there parking nearby?")
    login(host.email)
    assert page.locator("#nav-sidebar, aside").first.get_by_text("Messages").count() >= 1
    page.goto(f"/admin/bookings/booking/{booking.pk}/change/")
    panel = page.locator("#booking-messages")
    assert "1 unread" in panel.inner_text()
    panel.get_by_text("Read and answer").click()
    page.wait_for_selector("#thread")
    assert "Is there parking nearby?" in page.inner_text("#thread")
    page.fill("#id_body", "Yes: the public garage on the corner.")
    page.click("#send-message")
    page.wait_for_selector("text=Message sent.")
    mine = page.locator(".bo-message.is-mine")
    assert "the public garage on the corner" in mine.inner_text()
    assert "not read yet" in mine.inner_text()
    assert Message.objects.filter(sender=host).count() == 1
    shot("conversation-host", full_page=False)
