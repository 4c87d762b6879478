"""A booking's own page: the bill as a table, the stay and its events on one line each, and
Accept / Decline / Cancel buttons for whoever may do them (the list actions' services and
confirmation pages)."""

from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from bookings.models import Booking
from bookings.services import (
    booking_accept,
    booking_cancel,
    booking_decline,
    booking_expire_stale,
    booking_mark_paid,
)
from tests.factories import ListingFactory, UserFactory, future, make_booking

pytestmark = pytest.mark.django_db


def page_of(booking):
    return reverse("admin:bookings_booking_change", args=[booking.pk])


def button(booking, name):
    return reverse(f"admin:bookings_booking_{name}_one", args=[booking.pk])


def requested(host, **kwargs):
    return make_booking(listing=ListingFactory(host=host, instant_book=False,
                                               weekend_price="150.00"), **kwargs)  # fmt: skip


def test_the_price_reads_as_a_bill(as_host, host):
    booking = requested(host, guest=UserFactory(first_name="Gina"), check_in=future(30), nights=7)
    body = as_host.get(page_of(booking)).content.decode()
    assert 'id="price-table"' in body and "<pre" not in body
    assert body.count('<td class="why">Weekend price</td>') == 2  # a Friday and a Saturday
    assert body.count('<td class="why">Nightly price</td>') == 5
    assert f"{booking.total:,.2f} EUR" in body and "Total the guest pays" in body
    assert "Host payout" in body
    assert 'class="event-line"' in body and "Answer by" in body


def test_a_booking_from_before_night_reasons_says_so(as_host, host):
    """Snapshots written before the quote kept each night's reason have none: the column says
    "Not recorded" and a note explains, instead of an empty column."""
    booking = requested(host, check_in=future(30), nights=2)
    snapshot = booking.price_snapshot
    for night in snapshot["nightly"]:
        del night["reason"]
    Booking.objects.filter(pk=booking.pk).update(price_snapshot=snapshot)
    body = as_host.get(page_of(booking)).content.decode()
    assert body.count('<td class="why">Not recorded</td>') == 2
    assert "made before StayBook kept which price applied" in body
    fresh = as_host.get(page_of(requested(host, check_in=future(60), nights=2))).content
    assert b"made before StayBook kept" not in fresh


def why(client, booking) -> str:
    body = client.get(page_of(booking)).content.decode()
    start = body.index("Why this status")
    return body[start : start + 600]


def test_every_status_says_why(as_host, host):
    guest = UserFactory(first_name="Gina")
    declined = requested(host, guest=guest, check_in=future(30))
    booking_decline(booking=declined, actor=host, reason="Closed for works")
    assert "Declined by the host on " in why(as_host, declined)
    assert "Closed for works" in why(as_host, declined)
    cancelled = requested(host, guest=guest, check_in=future(40))
    booking_accept(booking=cancelled, actor=host)
    booking_cancel(booking=cancelled, actor=guest)
    assert "Cancelled by the guest on " in why(as_host, cancelled)
    assert "no reason given" in why(as_host, cancelled)
    unanswered = requested(host, guest=guest, check_in=future(50))
    unpaid = requested(host, guest=guest, check_in=future(60))
    booking_accept(booking=unpaid, actor=host)
    Booking.objects.filter(pk__in=[unanswered.pk, unpaid.pk]).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert booking_expire_stale() == 2
    assert "the host did not answer in time" in why(as_host, unanswered)
    assert "the guest did not pay in time" in why(as_host, unpaid)
    waiting = requested(host, guest=guest, check_in=future(70))
    assert "Waiting for the host&#x27;s answer until" in why(as_host, waiting)


def test_the_host_sees_the_buttons_that_apply(as_host, host):
    booking = requested(host)
    body = as_host.get(page_of(booking)).content.decode()
    assert button(booking, "accept") in body and button(booking, "decline") in body
    assert button(booking, "cancel") in body
    confirmed_stay = make_booking(listing=ListingFactory(host=host), check_in=future(40))
    booking_mark_paid(booking=confirmed_stay, amount=confirmed_stay.total)
    body = as_host.get(page_of(confirmed_stay)).content.decode()
    assert button(confirmed_stay, "accept") not in body
    assert button(confirmed_stay, "cancel") in body


def test_accept_asks_first_then_accepts_and_comes_back(as_host, host):
    booking = requested(host)
    page = as_host.get(button(booking, "accept"))
    assert page.status_code == 200 and "Accept this request?" in page.content.decode()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.REQUESTED  # a link changes nothing by itself
    done = as_host.post(button(booking, "accept"),
                        {"confirm": "yes", "action": "accept",
                         ACTION_CHECKBOX_NAME: [booking.pk]})  # fmt: skip
    assert done.status_code == 302 and done["Location"] == page_of(booking)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.PENDING_PAYMENT


def test_decline_and_cancel_use_the_confirmation_pages(as_host, host):
    booking = requested(host)
    page = as_host.get(button(booking, "decline")).content.decode()
    assert "Decline these requests?" in page and f'href="{page_of(booking)}"' in page
    as_host.post(button(booking, "decline"), {"confirm": "yes", "reason": "Closed"})
    booking.refresh_from_db()
    assert booking.status == Booking.Status.DECLINED
    paid = make_booking(listing=ListingFactory(host=host), check_in=future(30))
    booking_mark_paid(booking=paid, amount=paid.total)
    page = as_host.get(button(paid, "cancel")).content.decode()
    assert "days before check-in" in page
    as_host.post(button(paid, "cancel"), {"confirm": "yes", "reason": "Flood"})
    paid.refresh_from_db()
    assert paid.status == Booking.Status.CANCELLED and paid.refund_amount == paid.total


def test_the_buttons_are_refused_to_others(as_host, as_auditor, as_moderator, other_host, host):
    foreign = requested(other_host)
    assert as_host.get(button(foreign, "accept")).status_code == 404
    assert as_host.post(button(foreign, "accept"), {"confirm": "yes"}).status_code == 404
    own = requested(host)
    assert as_auditor.get(button(own, "accept")).status_code == 403
    assert button(own, "accept") not in as_auditor.get(page_of(own)).content.decode()
    assert as_moderator.get(button(own, "accept")).status_code in (403, 404)
    own.refresh_from_db()
    assert own.status == Booking.Status.REQUESTED


# --- a review's page: Publish / Reject for moderators -----------------------------------------


def test_a_moderator_publishes_or_rejects_from_the_reviews_page(as_moderator, as_host, own_listing):
    from reviews.models import Review
    from tests.factories import ReviewFactory, make_completed_stay

    review = ReviewFactory(booking=make_completed_stay(listing=own_listing))
    page = reverse("admin:reviews_review_change", args=[review.pk])
    publish = reverse("admin:reviews_review_publish_one", args=[review.pk])
    reject = reverse("admin:reviews_review_reject_one", args=[review.pk])
    body = as_moderator.get(page).content.decode()
    assert publish in body and reject in body
    assert publish not in as_host.get(page).content.decode()  # hosts answer, never decide
    assert as_host.get(publish).status_code == 403
    assert "Publish this review?" in as_moderator.get(publish).content.decode()
    review.refresh_from_db()
    assert review.status == Review.Status.PENDING
    asked = as_moderator.get(reject).content.decode()
    assert "Reject these reviews?" in asked and 'name="reason"' in asked
    done = as_moderator.post(reject, {"confirm": "yes", "reason": "Off-topic"})
    assert done.status_code == 302 and done["Location"] == page
    review.refresh_from_db()
    assert (review.status, review.rejection_reason) == (Review.Status.REJECTED, "Off-topic")
    assert publish not in as_moderator.get(page).content.decode()  # decided: no more buttons
