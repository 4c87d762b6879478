"""Email notifications through an outbox.

`notification_create` is called by a core service INSIDE the transaction of the change it
announces: the row exists if and only if the change committed, and the unique constraint on
(event, ref, recipient) makes a replayed change a no-op. After commit a task is enqueued to
send it at once; if the broker is down, `notification_send_due` (beat, every minute) sends it.

`notification_send` claims the row with one conditional UPDATE (pending -> sending, committed)
before talking to the SMTP server, so two workers, a duplicate task or a retried task can never
send the same row twice. A failed send goes back to pending with an exponential backoff (with
jitter) until NOTIFICATION_MAX_ATTEMPTS, then stays failed, visible in the back-office.

Delivery is at least once, never silently lost, and a duplicate is as unlikely as we can make it:
- On PostgreSQL the sender holds the row locked (SELECT ... FOR UPDATE) while it talks to the
  SMTP server, and marks it sent in that same transaction as soon as the server has accepted the
  message, before QUIT and before closing the connection. The recovery sweep releases only
  claimed rows nobody holds (SKIP LOCKED), that is rows whose worker died: a live send is never
  taken over however long it takes, and a dead worker's row is sent again after
  NOTIFICATION_CLAIM_TIMEOUT_SECONDS instead of being lost.
- A worker that dies after claiming and before the server accepted the message: the row is sent
  once, later (tests/integration/test_killed_workers.py).
- The one window left for a duplicate: the worker dies between the server's "250 accepted" and
  the commit of "sent" (one database round trip). The row is sent again with the same Message-ID,
  so the duplicate is recognisable (and mail clients that deduplicate by Message-ID show one);
  a lost receipt would be worse. The same test kills a worker in exactly that window.
- On SQLite (the embedded default) no transaction is held across the SMTP call (it would block
  every writer); the row is marked sent right after the server accepts, and the claim timeout
  alone tells a dead worker's row from a live one.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from common.background import backoff_seconds, enqueue_on_commit
from common.pause_points import pause_point

from .models import Notification

if TYPE_CHECKING:  # names for annotations only, never imported at run time
    from accounts.models import User

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    subject: str  # formatted with the row's context
    audience: str  # who receives it, for the back-office


# Every email the product sends. Templates: templates/emails/<event>.txt and .html.
EVENTS: dict[str, Event] = {
    "booking_requested": Event("New booking request for {listing_title}", "host"),
    "booking_accepted": Event("{listing_title}: your request is accepted, time to pay", "guest"),
    "booking_declined": Event("{listing_title}: your request was declined", "guest"),
    "booking_confirmed": Event("Confirmed: {listing_title}, {check_in} to {check_out}", "both"),
    "booking_cancelled": Event("Cancelled: {listing_title}, {check_in} to {check_out}", "both"),
    "booking_expired": Event("{listing_title}: your booking has expired", "guest"),
    "payment_failed": Event("Your payment for {listing_title} did not go through", "guest"),
    "payout_paid": Event("Payout sent: {amount} {currency}", "host"),
    "refund_sent": Event("Your refund of {amount} {currency} was sent", "guest"),
    "refund_failed": Event("Refund failed: {amount} {currency} for {listing_title}", "staff"),
    "review_published": Event("A new review of {listing_title} is published", "host"),
    "review_response": Event("{host_name} answered your review of {listing_title}", "guest"),
    "message_received": Event("{sender_name} wrote to you about {listing_title}", "both"),
}

_muted: contextvars.ContextVar[bool] = contextvars.ContextVar("notifications_muted", default=False)


@contextlib.contextmanager
def notifications_muted() -> Iterator[None]:
    """No email for changes made inside the block (demo seeding, data fixes)."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def notification_create(
    *, event: str, ref: str, recipient: User, context: dict
) -> Notification | None:
    """Record that `recipient` must be told about `event` on `ref`, in the caller's transaction.
    Returns the row (the existing one if this was already recorded), or None when muted or the
    recipient has no address."""
    if event not in EVENTS:
        raise ValueError(f"Unknown notification event: {event}")
    if _muted.get() or not getattr(recipient, "email", ""):
        return None
    # ON CONFLICT DO NOTHING: a duplicate is not an error, and the transaction stays usable.
    Notification.objects.bulk_create(
        [
            Notification(
                event=event, ref=ref, recipient=recipient, to_email=recipient.email, context=context
            )
        ],
        ignore_conflicts=True,
    )
    row = Notification.objects.get(event=event, ref=ref, recipient=recipient)
    if row.status == Notification.Status.PENDING:
        from .tasks import send_notification

        enqueue_on_commit(send_notification, row.pk)
    return row


def render_notification(row: Notification) -> EmailMultiAlternatives:
    context = {**row.context, "site_url": settings.SITE_URL}
    subject = EVENTS[row.event].subject.format_map(_Blank(context))
    text = render_to_string(f"emails/{row.event}.txt", context)
    html = render_to_string(f"emails/{row.event}.html", context)
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(">") or "staybook"
    message = EmailMultiAlternatives(
        subject=subject[:200],
        body=text,
        to=[row.to_email],
        headers={
            # The same row always has the same Message-ID: a resend is recognisable.
            "Message-ID": f"<notification-{row.pk}@{domain}>",
            "X-StayBook-Notification": f"{row.event}:{row.pk}",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def notification_send(notification_id: int) -> str:
    """Send one due row. Safe to call any number of times, concurrently: only the caller that
    claims the row sends it. Returns what happened: sent, retry, failed or skipped."""
    now = timezone.now()
    claimed = Notification.objects.filter(
        pk=notification_id, status=Notification.Status.PENDING, next_attempt_at__lte=now
    ).update(status=Notification.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return "skipped"  # sent, being sent, not due yet, or gone
    row = Notification.objects.get(pk=notification_id)
    pause_point(f"notification_{row.pk}_claimed")  # test-only hook (common.pause_points)
    try:
        message = render_notification(row)
        smtp = get_connection(fail_silently=False)
        smtp.open()  # opened here, so sending does not close it: "sent" is recorded before QUIT
        try:
            with _held(row) as ours:
                if not ours:  # released by the recovery sweep meanwhile: someone else sends it
                    return "skipped"
                smtp.send_messages([message])
                pause_point(f"notification_{row.pk}_accepted")  # test-only hook
                Notification.objects.filter(pk=row.pk).update(
                    status=Notification.Status.SENT, sent_at=timezone.now(), last_error=""
                )
        finally:
            with contextlib.suppress(Exception):  # accepted and recorded: a failed QUIT is moot
                smtp.close()
    except Exception as exc:  # SMTP refused, server down, template broken: retry later
        logger.warning("Notification %s (%s) not sent: %s", row.pk, row.event, exc)
        gave_up = row.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS
        Notification.objects.filter(pk=row.pk, status=Notification.Status.SENDING).update(
            status=Notification.Status.FAILED if gave_up else Notification.Status.PENDING,
            next_attempt_at=timezone.now() + timedelta(seconds=backoff_seconds(row.attempts)),
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        return "failed" if gave_up else "retry"
    return "sent"


@contextlib.contextmanager
def _held(row: Notification) -> Iterator[bool]:
    """Hold `row` (still claimed by us) for the duration of the send, in a transaction that
    records it sent. Yields whether it is still ours. PostgreSQL only: on SQLite a transaction
    across the SMTP call would block every writer, so there it is the claim alone."""
    if not db_connection.features.has_select_for_update_skip_locked:
        yield Notification.objects.filter(
            pk=row.pk, status=Notification.Status.SENDING, claimed_at=row.claimed_at
        ).exists()
        return
    with transaction.atomic():
        yield (
            Notification.objects.select_for_update()
            .filter(pk=row.pk, status=Notification.Status.SENDING, claimed_at=row.claimed_at)
            .exists()
        )


def notification_send_due(*, limit: int = 500) -> int:
    """Send every row whose time has come (new rows whose task was lost, retries). Returns how
    many were sent."""
    due = (
        Notification.objects.filter(
            status=Notification.Status.PENDING, next_attempt_at__lte=timezone.now()
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(notification_send(pk) == "sent" for pk in list(due))


def notification_recover_stuck(*, now: datetime | None = None) -> int:
    """Recovery sweep: a row claimed more than NOTIFICATION_CLAIM_TIMEOUT_SECONDS ago that no
    live sender holds (its worker died) goes back to pending, sent by the next
    `notification_send_due`. Returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.NOTIFICATION_CLAIM_TIMEOUT_SECONDS)
    with transaction.atomic():
        orphaned = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(status=Notification.Status.SENDING, claimed_at__lt=cutoff)
            .values_list("pk", flat=True)
        )
        return Notification.objects.filter(pk__in=orphaned).update(
            status=Notification.Status.PENDING, next_attempt_at=now
        )
