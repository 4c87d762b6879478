"""Paying and refunding through the services, against the real database and the simulated
provider (its own records count the charges)."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.utils import timezone

from bookings.models import Booking
from bookings.services import booking_expire_stale
from common.errors import DomainError, NotFound, NotPermitted, ValidationFailed
from ledger.models import JournalEntry
from ledger.selectors import host_payable_balance
from payments import services, signals
from payments.models import Payment, Refund, SimulatedOperation
from payments.providers import OperationResult, ProviderUnavailable
from payments.providers.simulated import SimulatedProvider
from tests.factories import UserFactory, future, make_booking

pytestmark = pytest.mark.django_db


def pay(booking, method="pm_card_visa", actor=None):
    return services.booking_pay(
        actor=actor or booking.guest, booking=booking, payment_method=method
    )


def charges():
    return SimulatedOperation.objects.filter(kind="charge").count()


def ledger_ok():
    call_command("ledger_check", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_paying_confirms_the_booking_and_posts_the_ledger(booking):
    payment = pay(booking)
    booking.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    assert payment.provider_reference.startswith("pi_sim_")
    assert (booking.status, booking.amount_paid) == (Booking.Status.CONFIRMED, booking.total)
    assert booking.expires_at is None
    assert JournalEntry.objects.get().payment == payment
    host_share = booking.total - booking.service_fee - booking.taxes - booking.host_fee
    assert host_payable_balance(host=booking.listing.host, currency="EUR") == host_share
    assert charges() == 1
    ledger_ok()


def test_a_declined_card_leaves_the_booking_payable_then_another_card_pays(booking):
    failed = pay(booking, "pm_card_chargeDeclined")
    booking.refresh_from_db()
    assert (failed.status, failed.failure_code) == (Payment.Status.FAILED, "card_declined")
    assert failed.failure_message
    assert booking.status == Booking.Status.PENDING_PAYMENT
    assert not JournalEntry.objects.exists()
    assert pay(booking, "pm_card_mastercard").status == Payment.Status.SUCCEEDED
    assert Payment.objects.filter(booking=booking).count() == 2
    ledger_ok()


@pytest.mark.parametrize(
    ("prepare", "code"),
    [
        (lambda b: pay(b), "already_paid"),
        (lambda b: Booking.objects.filter(pk=b.pk).update(status="requested"), "not_payable"),
        (lambda b: Booking.objects.filter(pk=b.pk).update(status="cancelled"), "not_payable"),
        (
            lambda b: Booking.objects.filter(pk=b.pk).update(
                expires_at=timezone.now() - dt.timedelta(seconds=1)
            ),
            "booking_expired",
        ),
        (
            lambda b: Payment.objects.create(
                booking=b,
                amount=b.total,
                currency="EUR",
                payment_method="pm_card_visa",
                provider="simulated",
            ),  # fmt: skip
            "payment_in_progress",
        ),
    ],
)
def test_what_cannot_be_paid(booking, prepare, code):
    prepare(booking)
    before = charges()
    with pytest.raises(DomainError) as exc:
        pay(booking)
    assert exc.value.code == code
    assert charges() == before


def test_only_the_guest_pays(booking):
    for someone in (UserFactory(), booking.listing.host):
        with pytest.raises(NotFound):
            pay(booking, actor=someone)
    assert not Payment.objects.exists()


@pytest.mark.parametrize("method", ["", "   ", "x" * 256])
def test_a_payment_method_is_required(booking, method):
    with pytest.raises(ValidationFailed):
        pay(booking, method)


def test_a_processing_payment_keeps_the_hold_from_lapsing(booking):
    Payment.objects.create(
        booking=booking, amount=booking.total, currency="EUR", payment_method="pm_card_visa",
        provider="simulated",
    )  # fmt: skip
    later = timezone.now() + dt.timedelta(hours=1)
    assert booking_expire_stale(now=later) == 0
    booking.refresh_from_db()
    assert booking.status == Booking.Status.PENDING_PAYMENT


def test_a_charge_that_succeeds_after_the_hold_lapsed_still_confirms(booking):
    payment = services.payment_start(
        actor=booking.guest, booking=booking, payment_method="pm_card_visa"
    )
    Booking.objects.filter(pk=booking.pk).update(expires_at=timezone.now())
    services.payment_execute(payment=payment)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_a_charge_on_a_booking_that_cannot_be_confirmed_is_refunded_in_full(booking, run_on_commit):
    told = []
    signals.payment_refunded_unconfirmable.connect(
        lambda **kw: told.append(kw["refund"]), weak=False, dispatch_uid="t"
    )
    try:
        payment = services.payment_start(
            actor=booking.guest, booking=booking, payment_method="pm_card_visa"
        )
        Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.CANCELLED)
        payment = run_on_commit(services.payment_execute, payment=payment)
    finally:
        signals.payment_refunded_unconfirmable.disconnect(dispatch_uid="t")
    refund = Refund.objects.get()
    assert payment.status == Payment.Status.SUCCEEDED
    assert (refund.kind, refund.amount, refund.status) == (
        "unconfirmable",
        payment.amount,
        "succeeded",
    )
    assert told == [refund]
    assert host_payable_balance(host=booking.listing.host, currency="EUR") == 0
    ledger_ok()


def test_an_unknown_outcome_stays_processing_and_the_sweep_completes_it(
    booking, monkeypatch, run_on_commit
):
    def down(self, request):
        raise ProviderUnavailable("connection reset")

    original = SimulatedProvider._charge
    monkeypatch.setattr(SimulatedProvider, "_charge", down)
    payment = run_on_commit(pay, booking)
    assert payment.status == Payment.Status.PROCESSING
    monkeypatch.setattr(SimulatedProvider, "_charge", original)
    assert services.payments_recover_stuck() == 0  # too recent
    later = timezone.now() + dt.timedelta(minutes=11)
    assert run_on_commit(services.payments_recover_stuck, now=later) == 1
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    assert charges() == 1
    ledger_ok()


def test_recording_a_result_twice_changes_nothing(booking):
    payment = pay(booking)
    again = services.payment_record_result(
        payment=payment, result=OperationResult(False, failure_code="card_declined")
    )
    assert again.status == Payment.Status.SUCCEEDED
    assert JournalEntry.objects.count() == 1


# --- refunds -----------------------------------------------------------------------------------


def paid_booking(policy="moderate", days_ahead=30):
    booking = make_booking(check_in=future(days_ahead))
    booking.listing.__class__.objects.filter(pk=booking.listing_id).update(
        cancellation_policy=policy
    )
    Booking.objects.filter(pk=booking.pk).update(cancellation_policy=policy)
    booking.refresh_from_db()
    pay(booking)
    booking.refresh_from_db()
    return booking


@pytest.mark.parametrize(
    ("policy", "days_ahead", "share_of_base"),
    [
        ("flexible", 2, None),  # 100 %
        ("moderate", 10, None),
        ("moderate", 3, D("0.5")),  # 50 % of total − service fee
        ("strict", 10, D("0.5")),
        ("strict", 3, D("0")),  # nothing
    ],
)
def test_cancellation_refunds_per_policy(policy, days_ahead, share_of_base, run_on_commit):
    booking = paid_booking(policy, days_ahead)
    run_on_commit(
        services.booking_cancel_with_refund, booking=booking, actor=booking.guest, reason="plans"
    )
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    if share_of_base is None:
        expected = booking.total
    else:
        expected = (share_of_base * (booking.total - booking.service_fee)).quantize(D("0.01"))
    refunds = list(Refund.objects.all())
    if expected == 0:
        assert refunds == []
    else:
        assert [(r.amount, r.status, r.kind) for r in refunds] == [
            (expected, "succeeded", "cancellation")
        ]
    kept = booking.total - expected
    cash = SimulatedOperation.objects.filter(kind="refund").count()
    assert cash == (1 if expected else 0)
    assert kept >= 0
    ledger_ok()


def test_host_cancellation_refunds_everything(run_on_commit):
    booking = paid_booking("strict", 3)
    run_on_commit(services.booking_cancel_with_refund, booking=booking, actor=booking.listing.host)
    assert Refund.objects.get().amount == booking.total
    assert host_payable_balance(host=booking.listing.host, currency="EUR") == 0
    ledger_ok()


def test_cancelling_an_unpaid_booking_refunds_nothing(booking, run_on_commit):
    run_on_commit(services.booking_cancel_with_refund, booking=booking, actor=booking.guest)
    assert not Refund.objects.exists()


def test_goodwill_refund_up_to_the_remainder(run_on_commit, django_user_model):
    booking = paid_booking("strict", 3)  # the policy refunds nothing
    payment = booking.payments.get()
    staff = UserFactory(is_staff=True, is_superuser=True)
    with pytest.raises(NotPermitted):
        services.refund_goodwill(actor=booking.guest, payment=payment, amount=D("1"), reason="x")
    with pytest.raises(ValidationFailed):
        services.refund_goodwill(actor=staff, payment=payment, amount=D("1"), reason=" ")
    run_on_commit(
        services.refund_goodwill, actor=staff, payment=payment, amount=D("50.00"), reason="noise"
    )
    with pytest.raises(ValidationFailed) as exc:
        services.refund_goodwill(
            actor=staff, payment=payment, amount=booking.total - D("49.99"), reason="more"
        )
    assert exc.value.code == "refund_exceeds_refundable"
    run_on_commit(
        services.refund_goodwill, actor=staff, payment=payment,
        amount=booking.total - D("50.00"), reason="all of it",
    )  # fmt: skip
    assert services.payment_refundable(payment) == 0
    assert Refund.objects.filter(status="succeeded").count() == 2
    assert host_payable_balance(host=booking.listing.host, currency="EUR") == 0
    ledger_ok()


def test_a_failed_refund_is_recorded_and_frees_the_amount(run_on_commit):
    booking = paid_booking()
    payment = booking.payments.get()
    Payment.objects.filter(pk=payment.pk).update(provider_reference="pi_sim_unknown")
    run_on_commit(services.booking_cancel_with_refund, booking=booking, actor=booking.guest)
    refund = Refund.objects.get()
    assert (refund.status, refund.failure_code) == ("failed", "charge_not_found")
    payment.refresh_from_db()
    assert services.payment_refundable(payment) == payment.amount
    assert not JournalEntry.objects.filter(refund=refund).exists()


def test_the_tasks_survive_a_dead_worker_and_run_on_the_payments_queue(settings):
    from payments.tasks import execute_payment, send_refund

    for task in (execute_payment, send_refund):
        assert task.acks_late and task.reject_on_worker_lost
        assert settings.CELERY_TASK_ROUTES["payments.*"] == {"queue": "payments"}
    assert "payments.services.payments_recover_stuck" in settings.RECOVERY_SWEEPS
