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
]


@pytest.mark.parametrize("name", PAGES)
def test_staff_pages_render(as_staff, own_listing, name):
    response = as_staff.get(reverse(name))
    assert response.status_code == 200, response.content[:2000]
