"""Money events other apps may react to (the notifications outbox, for one).

Each is sent INSIDE the transaction that records the change, once per change, so a receiver
that writes a row (an outbox message) commits or rolls back with it. Receivers must not do
network I/O; enqueue work with `transaction.on_commit` instead.

    payment_succeeded(payment)         the booking is confirmed
    payment_failed(payment)            failure_code / failure_message say why; still payable
    payment_refunded_unconfirmable(payment, refund)
                                       the charge succeeded but the booking could no longer be
                                       confirmed (expired, cancelled): refunded in full
    refund_succeeded(refund) / refund_failed(refund)
    payout_paid(payout) / payout_failed(payout)   (sent by the payout services)
"""

from django.dispatch import Signal

payment_succeeded = Signal()
payment_failed = Signal()
payment_refunded_unconfirmable = Signal()
refund_succeeded = Signal()
refund_failed = Signal()
payout_paid = Signal()
payout_failed = Signal()
