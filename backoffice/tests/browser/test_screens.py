"""A screenshot of each main screen, taken while checking that it works (SCREENSHOT_DIR)."""

import pytest

from accounts import roles
from bookings.services import booking_mark_paid
from common.actor import acting_as
from listings.services import listing_update
from tests.factories import (
    HostFactory,
    ListingFactory,
    ReviewFactory,
    UserFactory,
    future,
    make_booking,
    make_completed_stay,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def demo_data():
    host = HostFactory(email="host@example.com", first_name="Hannah", last_name="Host")
    staff = UserFactory(email="admin@example.com", is_staff=True, is_superuser=True)
    auditor = UserFactory(email="auditor@example.com", groups=[roles.AUDITORS])
    loft = ListingFactory(host=host, title="Harbour loft", city="Porto", country="PT")
    ListingFactory(host=host, title="Garden cabin", city="Sintra", country="PT")
    ListingFactory(host=HostFactory(email="rival@example.com"), title="Beach villa", city="Faro")
    guest = UserFactory(email="guest@example.com", first_name="Gina", last_name="Guest")
    booking = make_booking(listing=loft, guest=guest, check_in=future(20), nights=4)
    booking_mark_paid(booking=booking, amount=booking.total)
    ReviewFactory(booking=make_completed_stay(listing=loft), comment="Great view, noisy street")
    with acting_as(host):
        listing_update(listing=loft, actor=host, title="Harbour loft with terrace",
                       nightly_price="120.00")  # fmt: skip
    return {"host": host, "staff": staff, "auditor": auditor, "loft": loft, "booking": booking}


def test_main_screens(page, login, shot):
    data = demo_data()
    page.goto("/admin/login/")
    shot("login")

    login(data["staff"].email)
    assert (
        page.locator('[data-kpi="bookings"]').inner_text().strip().endswith("2")
    )  # the stay + the reviewed one
    shot("dashboard-staff-with-data", full_page=False)
    page.goto("/admin/listings/listing/")
    assert "Harbour loft with terrace" in page.inner_text("#result_list")
    shot("listings-changelist")

    page.goto(f"/admin/listings/listing/{data['loft'].pk}/change/")
    assert page.locator("button[name=_save], input[name=_save]").count() == 1
    shot("listing-change-form", full_page=False)  # the sticky save bar stays put
    page.click("#tabs-items >> text=History")
    history = page.locator("#history-tab")
    history.wait_for(state="visible")
    assert "Harbour loft with terrace" in history.inner_text()
    assert "120.00" in history.inner_text()
    shot("listing-history-tab")

    page.goto(f"/admin/listings/listing/{data['loft'].pk}/history/")
    assert "Harbour loft with terrace" in page.inner_text("#change-history")
    shot("history-diff")

    page.goto("/admin/bookings/booking/")
    page.locator(f'input.action-select[value="{data["booking"].pk}"]').check()
    page.select_option("select[name=action]", "cancel")
    page.locator("#changelist-actions button[type=submit], button[name=index]").first.click()
    page.wait_for_selector("text=Cancel these bookings?")
    assert "days before check-in" in page.inner_text("body")  # the refund is shown first
    shot("booking-cancel-refund-confirmation")

    page.goto("/admin/reviews/review/?status__exact=pending")
    assert "Great view, noisy street" in page.inner_text("#result_list")
    shot("moderation-queue-staff")

    page.goto("/admin/audit/")
    assert "Harbour loft with terrace" in page.inner_text("#audit-table")  # named, not an id
    shot("audit-timeline")
