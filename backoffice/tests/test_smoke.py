import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PAGES = [
    "admin:index",
    "admin:listings_listing_changelist",
    "admin:listings_listing_add",
    "admin:bookings_booking_changelist",
    "admin:reviews_review_changelist",
    "admin:calendars_hostblock_changelist",
    "admin:calendars_calendarday_changelist",
    "admin:accounts_user_changelist",
    "admin:listings_amenity_changelist",
    "admin:audit_timeline",
    "admin:listings_listing_import",
    "admin:listings_listing_export",
    "admin:payments_payout_changelist",
    "admin:payments_payment_changelist",
    "admin:payments_refund_changelist",
    "admin:ledger_journalentry_changelist",
    "admin:payments_payout_export",
]


@pytest.mark.parametrize("name", ["admin:listings_listing_import", "admin:listings_listing_add"])
def test_hosts_create_and_import_listings(as_host, name):
    assert as_host.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("who", ["as_auditor", "as_moderator"])
def test_auditors_and_moderators_cannot_import(request, who):
    client = request.getfixturevalue(who)
    assert client.get(reverse("admin:listings_listing_import")).status_code == 403


@pytest.mark.parametrize("name", PAGES)
def test_staff_pages_render(as_staff, own_listing, name):
    response = as_staff.get(reverse(name))
    assert response.status_code == 200, response.content[:2000]
