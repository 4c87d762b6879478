"""Actions and saves go through the core services; refusals become readable messages."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from bookings.models import Booking
from bookings.services import booking_mark_paid
from calendars.models import HostBlock
from listings.models import Listing
from reviews.models import Review
from tests.factories import ListingFactory, ReviewFactory, future, make_booking, make_completed_stay

pytestmark = pytest.mark.django_db

REVIEWS = "admin:reviews_review_changelist"
BOOKINGS = "admin:bookings_booking_changelist"
LISTINGS = "admin:listings_listing_changelist"


def run_action(client, url_name, action, objects, **extra):
    data = {"action": action, ACTION_CHECKBOX_NAME: [o.pk for o in objects], **extra}
    if "confirm" not in extra:
        data["index"] = 0
    return client.post(reverse(url_name), data, follow=True)


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


# --- reviews --------------------------------------------------------------------------------


def test_moderator_publishes_a_review_and_the_rating_updates(as_moderator, moderator, own_listing):
    review = ReviewFactory(booking=make_completed_stay(listing=own_listing), rating=4)
    response = run_action(as_moderator, REVIEWS, "publish", [review])
    assert "1 review published." in messages_of(response)
    review.refresh_from_db()
    own_listing.refresh_from_db()
    assert review.status == Review.Status.PUBLISHED
    assert own_listing.rating_average == Decimal("4.00")
    assert own_listing.review_count == 1
    assert review.history.first().history_user == moderator  # the decision, with its actor


def test_rejecting_asks_for_a_reason_first(as_moderator, own_listing):
    review = ReviewFactory(booking=make_completed_stay(listing=own_listing))
    page = run_action(as_moderator, REVIEWS, "reject", [review])
    assert b"Reject these reviews?" in page.content
    blank = run_action(as_moderator, REVIEWS, "reject", [review], confirm="yes", reason="  ")
    review.refresh_from_db()
    assert review.status == Review.Status.PENDING
    assert b"Reject these reviews?" in blank.content  # asked again
    done = run_action(as_moderator, REVIEWS, "reject", [review], confirm="yes", reason="Spam")
    assert "1 review rejected." in messages_of(done)
    review.refresh_from_db()
    assert (review.status, review.rejection_reason) == (Review.Status.REJECTED, "Spam")


# --- bookings -------------------------------------------------------------------------------


def test_host_accepts_a_request(as_host, host):
    listing = ListingFactory(host=host, instant_book=False)
    booking = make_booking(listing=listing)
    assert booking.status == Booking.Status.REQUESTED
    response = run_action(as_host, BOOKINGS, "accept", [booking])
    assert "1 request accepted." in messages_of(response)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.PENDING_PAYMENT


def test_accepting_twice_reports_the_domain_error(as_host, host):
    booking = make_booking(listing=ListingFactory(host=host, instant_book=True))
    response = run_action(as_host, BOOKINGS, "accept", [booking])
    assert "cannot be accepted" in messages_of(response)


def test_cancel_shows_the_refund_before_confirming(as_host, own_listing):
    booking = make_booking(listing=own_listing, check_in=future(30))
    booking_mark_paid(booking=booking, amount=booking.total)
    page = run_action(as_host, BOOKINGS, "cancel", [booking])
    assert f"{booking.total} EUR".encode() in page.content  # host cancels: full refund
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED  # nothing happened yet
    done = run_action(as_host, BOOKINGS, "cancel", [booking], confirm="yes", reason="Flood")
    assert "1 booking cancelled." in messages_of(done)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert booking.refund_amount == booking.total
    assert booking.cancellation_reason == "Flood"


def test_moderators_cannot_answer_bookings(as_moderator, own_listing):
    booking = make_booking(listing=ListingFactory(host=own_listing.host, instant_book=False))
    run_action(as_moderator, BOOKINGS, "decline", [booking], confirm="yes", reason="")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.REQUESTED


# --- listings -------------------------------------------------------------------------------


def test_publish_unpublish_suspend(as_host, as_staff, own_listing):
    run_action(as_host, LISTINGS, "unpublish", [own_listing])
    own_listing.refresh_from_db()
    assert own_listing.status == Listing.Status.DRAFT
    # Suspending is for staff: the host is not even offered the action.
    run_action(as_host, LISTINGS, "suspend", [own_listing])
    own_listing.refresh_from_db()
    assert own_listing.status == Listing.Status.DRAFT
    run_action(as_staff, LISTINGS, "suspend", [own_listing])
    own_listing.refresh_from_db()
    assert own_listing.status == Listing.Status.SUSPENDED
    response = run_action(as_host, LISTINGS, "publish", [own_listing])
    assert "can only be reinstated by staff" in messages_of(response)


def listing_form(**overrides):
    data = {
        "title": "Sea view flat", "property_type": "apartment", "city": "Nice", "country": "fr",
        "time_zone": "Europe/Paris", "max_guests": 3, "bedrooms": 1, "beds": 1, "bathrooms": "1",
        "nightly_price": "90.00", "cleaning_fee": "10", "currency": "EUR", "min_nights": 1,
        "max_nights": 30, "weekly_discount": "0", "monthly_discount": "0", "tax_rate": "0",
        "cancellation_policy": "moderate",
    }  # fmt: skip
    for prefix in ("photos", "calendar_days", "occupancies"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    data.update(overrides)
    return data


def _inline_prefixes(client):
    """The inline formset prefixes as the add page renders them."""
    page = client.get(reverse("admin:listings_listing_add"))
    return [fs.formset.prefix for fs in page.context["inline_admin_formsets"]]


def test_host_creates_a_listing_for_themselves(as_host, host, other_host):
    prefixes = _inline_prefixes(as_host)
    data = listing_form(host=other_host.pk)  # a tampered form cannot reassign it
    for prefix in prefixes:
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    response = as_host.post(reverse("admin:listings_listing_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    listing = Listing.objects.get(title="Sea view flat")
    assert listing.host == host
    assert (listing.country, listing.status) == ("FR", Listing.Status.DRAFT)
    assert listing.history.first().history_user == host


def test_a_bad_currency_is_a_field_error(as_host):
    prefixes = _inline_prefixes(as_host)
    data = listing_form(currency="XXX")
    for prefix in prefixes:
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    response = as_host.post(reverse("admin:listings_listing_add"), data)
    assert response.status_code == 200
    assert "currency" in response.context["adminform"].form.errors


def test_an_overlapping_host_block_is_refused_clearly(as_host, own_listing, host):
    make_booking(listing=own_listing, check_in=future(10), nights=3)
    response = as_host.post(
        reverse("admin:calendars_hostblock_add"),
        {"listing": own_listing.pk, "start": future(11), "end": future(15), "note": "Repairs"},
        follow=True,
    )
    body = response.content.decode()
    assert "not available" in body or "no longer available" in body
    assert not HostBlock.objects.filter(listing=own_listing).exists()


def test_host_blocks_free_nights(as_host, own_listing):
    response = as_host.post(
        reverse("admin:calendars_hostblock_add"),
        {"listing": own_listing.pk, "start": future(40), "end": future(43), "note": "Owner"},
    )
    assert response.status_code == 302
    block = HostBlock.objects.get(listing=own_listing)
    assert block.nights == 3
    assert block.end - block.start == dt.timedelta(days=3)


def test_host_cannot_block_another_hosts_listing(as_host, foreign_listing):
    response = as_host.post(
        reverse("admin:calendars_hostblock_add"),
        {"listing": foreign_listing.pk, "start": future(40), "end": future(43)},
    )
    assert response.status_code == 200  # the form refuses the choice
    assert "listing" in response.context["adminform"].form.errors
    assert not HostBlock.objects.exists()
