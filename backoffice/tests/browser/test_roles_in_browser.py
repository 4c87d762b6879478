"""Each role does its job in a real browser (Chromium through Playwright)."""

from decimal import Decimal

import pytest

from accounts import roles
from listings.models import Listing
from tests.factories import (
    HostFactory,
    ListingFactory,
    ReviewFactory,
    UserFactory,
    make_completed_stay,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def make_people():
    host = HostFactory(email="host@example.com", first_name="Hannah")
    return {
        "host": host,
        "staff": UserFactory(email="admin@example.com", is_staff=True, is_superuser=True),
        "moderator": UserFactory(email="moderator@example.com", groups=[roles.MODERATORS]),
        "auditor": UserFactory(email="auditor@example.com", groups=[roles.AUDITORS]),
    }


@pytest.mark.parametrize("role", ["staff", "host", "moderator", "auditor"])
def test_each_role_logs_in_and_sees_its_dashboard(login, shot, role):
    people = make_people()
    ListingFactory(host=people["host"], title="Harbour loft", city="Porto")
    page = login(people[role].email)
    # Moderators get the review figures only (no bookings, no money).
    first_kpi = "pending" if role == "moderator" else "bookings"
    assert page.locator(f'[data-kpi="{first_kpi}"]').is_visible()
    scope = "your listings" if role == "host" else "the whole marketplace"
    assert scope in page.locator("#dashboard").inner_text()
    shot(f"dashboard-{role}")


def test_host_cannot_open_another_hosts_listing(login, page, shot):
    people = make_people()
    theirs = ListingFactory(host=HostFactory(email="rival@example.com"), title="Rival villa")
    login(people["host"].email)
    response = page.goto(f"/admin/listings/listing/{theirs.pk}/change/")
    assert response.status == 404
    assert "Rival villa" not in page.content()
    shot("host-foreign-listing-404")
    page.goto("/admin/listings/listing/")
    assert "Rival villa" not in page.content()


def test_auditor_sees_history_and_no_save_buttons(login, page, shot):
    people = make_people()
    listing = ListingFactory(host=people["host"], title="Audited cabin")
    Listing.objects.filter(pk=listing.pk)  # the factory's save is the first history row
    login(people["auditor"].email)
    page.goto(f"/admin/listings/listing/{listing.pk}/change/")
    assert page.locator("input[name=_save], button[name=_save]").count() == 0
    assert page.locator("input[name=_continue], button[name=_continue]").count() == 0
    shot("auditor-listing-read-only")
    page.goto(f"/admin/listings/listing/{listing.pk}/history/")
    assert page.locator("#change-history").is_visible()
    shot("auditor-listing-history")


def test_moderator_publishes_a_review_and_the_rating_changes(login, page, shot):
    people = make_people()
    listing = ListingFactory(host=people["host"], title="Reviewed flat")
    review = ReviewFactory(booking=make_completed_stay(listing=listing), rating=3,
                           comment="Good location")  # fmt: skip
    login(people["moderator"].email)
    page.goto("/admin/reviews/review/?status__exact=pending")
    shot("moderation-queue")
    page.locator(f'input.action-select[value="{review.pk}"]').check()
    page.select_option("select[name=action]", "publish")
    page.locator("#changelist-actions button[type=submit], button[name=index]").first.click()
    page.wait_for_selector("text=1 review published.")
    shot("moderation-published")
    listing.refresh_from_db()
    assert listing.rating_average == Decimal("3.00")
    assert listing.review_count == 1
