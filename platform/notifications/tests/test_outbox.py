"""The outbox: one row per recipient and event, written with the change, sent exactly once."""

import socket
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from bookings.services import booking_accept, booking_cancel, booking_decline, booking_mark_paid
from notifications.models import Notification
from notifications.services import (
    notification_create,
    notification_recover_stuck,
    notification_send,
    notification_send_due,
    notifications_muted,
)
from reviews.services import review_publish, review_respond
from tests.factories import ListingFactory, ReviewFactory, UserFactory, make_booking

pytestmark = pytest.mark.django_db

Status = Notification.Status


def events():
    return sorted((n.event, n.to_email, n.status) for n in Notification.objects.all())


def test_a_request_tells_the_host_once_after_commit(django_capture_on_commit_callbacks):
    listing = ListingFactory(instant_book=False, title="Sea view loft")
    with django_capture_on_commit_callbacks(execute=True):
        booking = make_booking(listing=listing, guests=2)
    assert events() == [("booking_requested", listing.host.email, Status.SENT)]
    [email] = mail.outbox
    assert email.to == [listing.host.email]
    assert email.subject == "New booking request for Sea view loft"
    assert "Sea view loft" in email.body and f"{booking.total} EUR" in email.body
    html = email.alternatives[0][0]
    assert "<strong>Sea view loft</strong>" in html and "/admin/bookings/booking/" in html
    row = Notification.objects.get()
    assert email.extra_headers["Message-ID"].startswith(f"<notification-{row.pk}@")

    # a duplicate task, a retry, the beat's sweep: nothing more is sent
    assert notification_send(row.pk) == "skipped"
    assert notification_send_due() == 0
    assert len(mail.outbox) == 1


def test_the_same_event_is_recorded_once_per_recipient():
    booking = make_booking()
    for _ in range(3):
        notification_create(event="booking_confirmed", ref=f"booking:{booking.pk}",
                            recipient=booking.guest, context={})  # fmt: skip
    assert Notification.objects.filter(event="booking_confirmed").count() == 1


def test_each_booking_event_reaches_its_recipients(django_capture_on_commit_callbacks):
    host_listing = ListingFactory(instant_book=False)
    host, guest = host_listing.host, UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        booking = make_booking(listing=host_listing, guest=guest)
        booking = booking_accept(booking=booking, actor=host)
        booking = booking_mark_paid(booking=booking, amount=booking.total)
        booking = booking_cancel(booking=booking, actor=guest, reason="Plans changed")
        declined = make_booking(listing=host_listing, guest=guest, check_in=booking.check_out)
        booking_decline(booking=declined, actor=host, reason="Closed that week")
    assert [(n.event, n.to_email) for n in Notification.objects.order_by("id")] == [
        ("booking_requested", host.email),
        ("booking_accepted", guest.email),
        ("booking_confirmed", guest.email),
        ("booking_confirmed", host.email),
        ("booking_cancelled", guest.email),
        ("booking_cancelled", host.email),
        ("booking_requested", host.email),
        ("booking_declined", guest.email),
    ]
    assert len(mail.outbox) == 8 and not Notification.objects.exclude(status=Status.SENT)
    receipt = next(
        m for m in mail.outbox if m.subject.startswith("Confirmed") and m.to == [guest.email]
    )
    assert f"Paid: {booking.total} EUR" in receipt.body
    refund = next(
        m for m in mail.outbox if m.subject.startswith("Cancelled") and m.to == [guest.email]
    )
    assert f"Refund: {booking.refund_amount} EUR" in refund.body
    assert "Closed that week" in mail.outbox[-1].body


def test_an_expired_hold_tells_the_guest(django_capture_on_commit_callbacks):
    from bookings.tasks import expire_stale_bookings

    booking = make_booking()
    booking.__class__.objects.filter(pk=booking.pk).update(expires_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert expire_stale_bookings.delay().get() == 1
    assert events() == [("booking_expired", booking.guest.email, Status.SENT)]
    assert "has expired" in mail.outbox[0].subject


def test_review_published_and_answered(django_capture_on_commit_callbacks):
    from accounts import roles

    review = ReviewFactory(comment="Great light in the mornings.")
    moderator = UserFactory(groups=[roles.MODERATORS])
    with django_capture_on_commit_callbacks(execute=True):
        review_publish(review=review, actor=moderator)
        review_publish(review=review, actor=moderator)  # already published: nothing new
        review_respond(review=review, actor=review.listing.host, text="Thank you, come back!")
    assert events() == [
        ("review_published", review.listing.host.email, Status.SENT),
        ("review_response", review.author.email, Status.SENT),
    ]
    assert "Great light in the mornings." in mail.outbox[0].body
    assert "Thank you, come back!" in mail.outbox[1].body


def test_changes_inside_notifications_muted_send_nothing():
    with notifications_muted():
        make_booking(listing=ListingFactory(instant_book=False))
    assert not Notification.objects.exists()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_failed_send_is_retried_with_backoff_then_given_up(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port()  # nobody listens
    settings.NOTIFICATION_MAX_ATTEMPTS = 2
    make_booking(listing=ListingFactory(instant_book=False))
    row = Notification.objects.get()

    assert notification_send(row.pk) == "retry"
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.PENDING, 1)
    assert row.next_attempt_at > timezone.now() and "ConnectionRefusedError" in row.last_error
    assert notification_send(row.pk) == "skipped"  # not due yet

    Notification.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    assert notification_send_due() == 0
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.FAILED, 2)
    assert notification_send_due() == 0 and row.sent_at is None


def test_a_claim_left_by_a_dead_worker_is_sent_again():
    make_booking(listing=ListingFactory(instant_book=False))
    long_ago = timezone.now() - timedelta(hours=1)
    Notification.objects.update(status=Status.SENDING, claimed_at=long_ago, attempts=1)
    fresh = make_booking(listing=ListingFactory(instant_book=False))
    Notification.objects.filter(ref=f"booking:{fresh.pk}").update(
        status=Status.SENDING, claimed_at=timezone.now()
    )  # still being sent by a live worker: left alone
    assert notification_recover_stuck() == 1
    assert notification_send_due() == 1
    assert len(mail.outbox) == 1
    assert sorted(Notification.objects.values_list("status", flat=True)) == ["sending", "sent"]
