"""Workers killed with SIGKILL at the worst moment, with real processes (conftest.py): the work
they held is finished by another worker, exactly once where money is concerned.

The step where the worker dies is reached through a test-only pause point
(common.pause_points, inert outside config.settings.test): the worker stops there and writes
its process id, the test kills that process."""

import os
import signal

import pytest
from django.core.management import call_command

from bookings.models import Booking
from ledger.models import JournalEntry
from notifications.models import Notification
from notifications.services import notification_recover_stuck
from payments.models import Payment, SimulatedOperation
from payments.services import payment_start
from tests.factories import UserFactory, make_booking

from .conftest import producer, start_worker, wait_for

DOMAIN = "staybook.example"  # of DEFAULT_FROM_EMAIL: the Message-ID's right-hand side

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(600)]


def test_a_worker_killed_after_the_charge_leaves_one_charge_and_a_confirmed_booking(
    processes, process_env, redis_server, smtp_server, pause_points
):
    booking = make_booking()  # instant book: pending payment
    # The intent is committed (as `booking_pay` does); the charge is the worker's job, as when
    # the provider did not answer the request in time and the task retries.
    payment = payment_start(actor=booking.guest, booking=booking, payment_method="pm_card_visa")
    charges = SimulatedOperation.objects.filter(
        kind=SimulatedOperation.Kind.CHARGE, metadata__payment_id=str(payment.pk)
    )
    env = {**process_env, **pause_points.env}
    pause_points.hold("payment_charged")
    worker = start_worker(processes, env, name="worker-1", pool="prefork")
    app = producer(redis_server.url)
    app.send_task("payments.execute_payment", args=[str(payment.pk)], queue="payments")

    # 1. The pool child has charged the card and not recorded it: SIGKILL that child. The task
    # is acks_late + reject_on_worker_lost, so the parent puts the message back and a new child
    # takes it: the provider answers the same idempotency key with the first charge.
    [child] = wait_for(lambda: pause_points.arrivals("payment_charged"), "the charge",
                       processes=(worker,))  # fmt: skip
    assert child != worker.popen.pid
    os.kill(child, signal.SIGKILL)
    arrivals = wait_for(lambda: (a := pause_points.arrivals("payment_charged"))[1:] and a,
                        "the redelivered payment task", processes=(worker,))  # fmt: skip
    assert arrivals[1] != child

    # 2. Now the whole worker dies (parent and child): the message is unacknowledged in Redis
    # and will not come back for an hour (the visibility timeout).
    worker.kill(signal.SIGKILL)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PROCESSING
    assert charges.count() == 1  # two calls, one charge at the provider

    # 3. A fresh worker; the recovery sweep (beat, every minute) finds the payment processing
    # for longer than PAYMENT_STUCK_AFTER (0 here) and dispatches it again.
    pause_points.release("payment_charged")
    fresh = start_worker(processes, {**env, "PAYMENT_STUCK_AFTER_MINUTES": "0"}, name="worker-2")
    app.send_task("common.recovery_sweep", queue="default")

    def settled():
        payment.refresh_from_db()
        return payment.status != Payment.Status.PROCESSING

    wait_for(settled, "the payment to be recorded", processes=(fresh,))
    assert payment.status == Payment.Status.SUCCEEDED
    booking.refresh_from_db()
    assert (booking.status, booking.amount_paid) == (Booking.Status.CONFIRMED, booking.total)
    assert Payment.objects.filter(booking=booking).count() == 1
    [charge] = charges
    assert (charge.succeeded, charge.amount_minor) == (True, int(booking.total * 100))
    assert payment.provider_reference == charge.reference
    assert JournalEntry.objects.filter(payment=payment).count() == 1
    call_command("ledger_check")  # raises CommandError naming any disagreement

    # The receipt, once to each side.
    wait_for(lambda: len(smtp_server.messages) >= 2, "the two receipts", processes=(fresh,))
    rows = Notification.objects.filter(event="booking_confirmed")
    assert sorted(r.to_email for r in rows) == sorted(
        [booking.guest.email, booking.listing.host.email]
    )
    assert sorted(smtp_server.headers()) == sorted(f"{r.event}:{r.pk}" for r in rows)
    app.close()


def test_a_worker_killed_while_emailing_loses_nothing_and_a_duplicate_is_recognisable(
    processes, process_env, redis_server, smtp_server, pause_points, settings
):
    """At least once, as notifications.services documents: killed after claiming and before the
    SMTP server accepted, the email arrives once; killed in the one window left (accepted, not
    yet recorded), it arrives twice with the same Message-ID. A live send is never taken over."""
    guest = UserFactory()

    def outbox_row(ref: str) -> Notification:
        return Notification.objects.create(
            event="booking_expired", ref=ref, recipient=guest, to_email=guest.email,
            context={"listing_title": ref},
        )  # fmt: skip

    before = outbox_row("Before SMTP")
    # The recovery sweep releases a claim as soon as nobody holds it (no timeout to wait out).
    env = {**process_env, **pause_points.env, "NOTIFICATION_CLAIM_TIMEOUT_SECONDS": "0"}
    app = producer(redis_server.url)

    def status(row) -> str:
        row.refresh_from_db()
        return row.status

    # 1. Killed after the claim, before talking to the SMTP server.
    pause_points.hold(f"notification_{before.pk}_claimed")
    worker = start_worker(processes, env, name="worker-1")
    app.send_task("notifications.send", args=[before.pk], queue="notifications")
    wait_for(lambda: pause_points.arrivals(f"notification_{before.pk}_claimed"), "the claim",
             processes=(worker,))  # fmt: skip
    worker.kill(signal.SIGKILL)
    assert status(before) == Notification.Status.SENDING and smtp_server.messages == []
    pause_points.release(f"notification_{before.pk}_claimed")

    # 2. A fresh worker: the sweep releases the orphaned claim, the due sweep sends it once.
    worker = start_worker(processes, env, name="worker-2")
    app.send_task("common.recovery_sweep", queue="default")
    wait_for(lambda: status(before) == Notification.Status.PENDING, "the claim released",
             processes=(worker,))  # fmt: skip
    app.send_task("notifications.send_due", queue="notifications")
    wait_for(lambda: status(before) == Notification.Status.SENT, "the first email sent",
             processes=(worker,))  # fmt: skip
    assert smtp_server.headers() == [f"booking_expired:{before.pk}"]

    # 3. The second email: the SMTP server has accepted it, the worker has not recorded it yet.
    # While it is alive its claim is held: the sweep leaves it alone even with no timeout.
    after = outbox_row("After SMTP")
    pause_points.hold(f"notification_{after.pk}_accepted")
    app.send_task("notifications.send", args=[after.pk], queue="notifications")
    wait_for(lambda: pause_points.arrivals(f"notification_{after.pk}_accepted"),
             "the server's acceptance", processes=(worker,))  # fmt: skip
    assert len(smtp_server.messages) == 2
    settings.NOTIFICATION_CLAIM_TIMEOUT_SECONDS = 0
    assert notification_recover_stuck() == 0
    assert status(after) == Notification.Status.SENDING
    worker.kill(signal.SIGKILL)  # ... and now it dies in the window

    # 4. Its claim is released and the email is sent again: a duplicate, same Message-ID.
    pause_points.release(f"notification_{after.pk}_accepted")
    worker = start_worker(processes, env, name="worker-3")
    app.send_task("common.recovery_sweep", queue="default")
    wait_for(lambda: status(after) == Notification.Status.PENDING, "the claim released",
             processes=(worker,))  # fmt: skip
    app.send_task("notifications.send_due", queue="notifications")
    wait_for(lambda: status(after) == Notification.Status.SENT, "the resend", processes=(worker,))
    assert sorted(smtp_server.headers()) == sorted(
        [f"booking_expired:{before.pk}"] + [f"booking_expired:{after.pk}"] * 2
    )
    first, again = (m for m in smtp_server.messages if m["Subject"].startswith("After SMTP"))
    assert first["Message-ID"] == again["Message-ID"] == f"<notification-{after.pk}@{DOMAIN}>"
    before.refresh_from_db()
    assert (before.attempts, after.attempts) == (2, 2)
    app.close()
