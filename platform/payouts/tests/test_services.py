"""Payouts: which bookings are due (the 24-hour boundary in the listing's zone), how much,
approval, transfer, failure and retry, and the ledger after each step."""

import datetime as dt
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from bookings.models import Booking
from common.errors import DomainError, NotPermitted
from ledger.checks import host_payables_owed_back, ledger_disagreements
from ledger.models import JournalEntry
from ledger.selectors import host_payable_balance
from payments.models import Payout, PayoutAccount, PayoutLine, Refund, SimulatedOperation
from payments.services import refund_execute, refund_goodwill
from payouts import services
from payouts.tests.support import host_with_account, paid_stay
from tests.factories import ListingFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True, is_superuser=True)


def host_share(booking) -> D:
    return booking.total - booking.service_fee - booking.taxes - booking.host_fee


def assert_ledger_agrees():
    assert ledger_disagreements() == []


def run_on_commit(django_capture_on_commit_callbacks, function, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        return function(**kwargs)


# --- the 24-hour boundary -------------------------------------------------------------------


@pytest.mark.parametrize("zone", ["Pacific/Auckland", "America/Los_Angeles", "UTC"])
def test_a_booking_is_due_24_hours_after_its_check_in_day_began_where_the_listing_is(zone):
    listing = ListingFactory(host=host_with_account(), time_zone=zone)
    check_in = timezone.now().astimezone(ZoneInfo(zone)).date() - dt.timedelta(days=2)
    booking = paid_stay(listing=listing, check_in=check_in)
    due = dt.datetime.combine(check_in, dt.time.min, tzinfo=ZoneInfo(zone)) + dt.timedelta(hours=24)
    assert services.booking_payout_due_at(booking) == due

    assert services.payouts_schedule(now=due - dt.timedelta(seconds=1)) == []
    assert not PayoutLine.objects.exists()

    [payout] = services.payouts_schedule(now=due)
    assert payout.host == listing.host and payout.currency == booking.currency
    assert payout.status == Payout.Status.SCHEDULED
    assert [(line.booking_id, line.amount) for line in payout.lines.all()] == [
        (booking.pk, host_share(booking))
    ]
    assert payout.amount == host_share(booking)


def test_the_same_utc_moment_is_due_in_one_zone_and_not_yet_in_another():
    check_in = dt.date(2026, 3, 10)
    east = paid_stay(
        listing=ListingFactory(host=host_with_account(), time_zone="Asia/Tokyo"),
        check_in=check_in,
    )
    west = paid_stay(
        listing=ListingFactory(host=host_with_account(), time_zone="America/New_York"),
        check_in=check_in,
    )
    # 10 March began at 9 March 15:00 UTC in Tokyo and at 10 March 04:00 UTC in New York
    # (daylight time since 8 March): at 11 March 03:00 UTC only Tokyo's is a day old.
    now = dt.datetime(2026, 3, 11, 3, 0, tzinfo=dt.UTC)
    [payout] = services.payouts_schedule(now=now)
    assert payout.host == east.listing.host
    assert not PayoutLine.objects.filter(booking=west).exists()


# --- what is scheduled ----------------------------------------------------------------------


def test_one_payout_per_host_and_currency_and_scheduling_twice_changes_nothing():
    host = host_with_account()
    eur = ListingFactory(host=host, currency="EUR")
    gbp = ListingFactory(host=host, currency="GBP")
    stays = [paid_stay(listing=eur), paid_stay(listing=eur, days_ago=8), paid_stay(listing=gbp)]
    other = paid_stay()

    payouts = services.payouts_schedule()
    assert sorted((p.host_id, p.currency, p.lines.count()) for p in payouts) == sorted(
        [(host.pk, "EUR", 2), (host.pk, "GBP", 1), (other.listing.host_id, "EUR", 1)]
    )
    eur_payout = next(p for p in payouts if p.host == host and p.currency == "EUR")
    assert eur_payout.amount == host_share(stays[0]) + host_share(stays[1])

    assert services.payouts_schedule() == []
    assert Payout.objects.count() == 3


def test_unpaid_future_and_cancelled_bookings_are_not_paid_out(stay):
    future_stay = paid_stay(days_ago=-5)  # checks in in five days
    Booking.objects.filter(pk=stay.pk).update(status=Booking.Status.CANCELLED)
    assert services.payouts_schedule() == []
    assert not PayoutLine.objects.filter(booking__in=[stay, future_stay]).exists()


def test_a_completed_stay_is_paid_out(stay):
    Booking.objects.filter(pk=stay.pk).update(status=Booking.Status.COMPLETED)
    [payout] = services.payouts_schedule()
    assert payout.lines.get().booking_id == stay.pk


def test_refunds_reduce_the_line_by_what_they_took_from_host_payable(stay, staff):
    payment = stay.payments.get()
    refund = refund_goodwill(actor=staff, payment=payment, amount=D("50.00"), reason="Noisy")
    assert refund_execute(refund=refund).status == Refund.Status.SUCCEEDED
    owed = host_payable_balance(host=stay.listing.host, currency="EUR")
    assert owed < host_share(stay)

    [payout] = services.payouts_schedule()
    assert payout.amount == owed
    assert_ledger_agrees()


# --- approval, transfer, failure, retry -----------------------------------------------------


def test_approve_transfers_and_pays_the_host_through_the_ledger(
    stay, staff, django_capture_on_commit_callbacks
):
    [payout] = services.payouts_schedule()
    host = stay.listing.host
    assert host_payable_balance(host=host, currency="EUR") == payout.amount

    payout = run_on_commit(
        django_capture_on_commit_callbacks, services.payout_approve, actor=staff, payout=payout
    )
    payout.refresh_from_db()
    assert payout.status == Payout.Status.PAID and payout.approved_by == staff
    assert payout.paid_at is not None and payout.provider_reference.startswith("tr_sim_")
    transfer = SimulatedOperation.objects.get(kind="transfer")
    assert transfer.idempotency_key == f"staybook-payout-{payout.pk}-1"
    assert transfer.amount_minor == int(payout.amount * 100)
    assert transfer.target == PayoutAccount.objects.get(host=host).stripe_account_id
    assert host_payable_balance(host=host, currency="EUR") == 0
    entry = JournalEntry.objects.get(payout=payout)
    assert {p.account.kind: p.amount for p in entry.postings.all()} == {
        "host_payable": payout.amount, "provider_cash": -payout.amount,
    }  # fmt: skip
    assert_ledger_agrees()

    # The task run again (a redelivered message) changes nothing.
    services.payout_execute(payout=payout)
    assert SimulatedOperation.objects.filter(kind="transfer").count() == 1
    assert JournalEntry.objects.filter(payout=payout).count() == 1


def test_a_failed_transfer_keeps_the_money_owed_and_a_retry_pays_it(
    stay, staff, django_capture_on_commit_callbacks
):
    host = stay.listing.host
    PayoutAccount.objects.filter(host=host).update(stripe_account_id="acct_invalid")
    [payout] = services.payouts_schedule()
    run_on_commit(
        django_capture_on_commit_callbacks, services.payout_approve, actor=staff, payout=payout
    )
    payout.refresh_from_db()
    assert payout.status == Payout.Status.FAILED
    assert "account_invalid" in payout.failure_reason and payout.failed_at is not None
    assert host_payable_balance(host=host, currency="EUR") == payout.amount
    assert not JournalEntry.objects.filter(payout=payout).exists()
    assert_ledger_agrees()

    with pytest.raises(DomainError) as refused:
        services.payout_approve(actor=staff, payout=payout)
    assert refused.value.code == "payout_not_scheduled"

    PayoutAccount.objects.filter(host=host).update(stripe_account_id="acct_fixed")
    run_on_commit(
        django_capture_on_commit_callbacks, services.payout_retry, actor=staff, payout=payout
    )
    payout.refresh_from_db()
    assert payout.status == Payout.Status.PAID and payout.attempt == 2
    assert payout.failure_reason == ""
    keys = SimulatedOperation.objects.filter(kind="transfer").order_by("id")
    assert [(o.idempotency_key, o.succeeded) for o in keys] == [
        (f"staybook-payout-{payout.pk}-1", False), (f"staybook-payout-{payout.pk}-2", True),
    ]  # fmt: skip
    assert host_payable_balance(host=host, currency="EUR") == 0
    assert_ledger_agrees()

    with pytest.raises(DomainError) as refused:
        services.payout_retry(actor=staff, payout=payout)
    assert refused.value.code == "payout_not_failed"


def test_a_host_without_a_payout_account_fails_with_the_reason_and_no_transfer(staff):
    listing = ListingFactory(host=host_with_account())
    PayoutAccount.objects.filter(host=listing.host).delete()
    paid_stay(listing=listing)
    [payout] = services.payouts_schedule()
    services.payout_approve(actor=staff, payout=payout)
    payout = services.payout_execute(payout=payout)
    assert payout.status == Payout.Status.FAILED
    assert "no payout account" in payout.failure_reason
    assert not SimulatedOperation.objects.filter(kind="transfer").exists()


def test_a_refund_after_scheduling_stops_the_transfer_instead_of_overpaying(stay, staff):
    [payout] = services.payouts_schedule()
    refund = refund_goodwill(
        actor=staff, payment=stay.payments.get(), amount=D("40.00"), reason="Broken heater"
    )
    refund_execute(refund=refund)
    services.payout_approve(actor=staff, payout=payout)
    payout = services.payout_execute(payout=payout)
    assert payout.status == Payout.Status.FAILED
    assert "host_balance_insufficient" in payout.failure_reason
    assert not SimulatedOperation.objects.filter(kind="transfer").exists()


def test_bulk_approval_approves_the_scheduled_and_skips_the_rest(staff):
    paid_stay(), paid_stay()
    first, second = services.payouts_schedule()
    services.payout_approve(actor=staff, payout=first)
    approved, skipped = services.payouts_approve(actor=staff, payouts=[first, second])
    assert [p.pk for p in approved] == [second.pk] and [p.pk for p in skipped] == [first.pk]
    assert set(Payout.objects.values_list("status", flat=True)) == {Payout.Status.APPROVED}


@pytest.mark.parametrize("who", ["host", "auditor", "plain staff"])
def test_only_staff_with_the_permission_approve_or_retry(stay, who):
    from accounts import roles

    [payout] = services.payouts_schedule()
    actor = {
        "host": lambda: stay.listing.host,
        "auditor": lambda: UserFactory(groups=[roles.AUDITORS]),
        "plain staff": lambda: UserFactory(is_staff=True),
    }[who]()
    with pytest.raises(NotPermitted):
        services.payout_approve(actor=actor, payout=payout)
    with pytest.raises(NotPermitted):
        services.payouts_approve(actor=actor, payouts=[payout])
    assert Payout.objects.get().status == Payout.Status.SCHEDULED


def test_the_sweep_resends_payouts_approved_long_ago(
    stay, staff, django_capture_on_commit_callbacks
):
    [payout] = services.payouts_schedule()
    services.payout_approve(actor=staff, payout=payout)  # its message is lost: never run
    assert services.payouts_recover_stuck() == 0  # approved just now: not stuck yet

    later = timezone.now() + dt.timedelta(minutes=11)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.payouts_recover_stuck(now=later) == 1
    payout.refresh_from_db()
    assert payout.status == Payout.Status.PAID
    assert services.payouts_recover_stuck(now=later) == 0
    assert_ledger_agrees()


def test_the_scheduling_task_and_beat_entry():
    from django.conf import settings

    from payouts.tasks import schedule_payouts

    paid_stay()
    assert schedule_payouts.delay().get() == 1
    assert schedule_payouts.delay().get() == 0
    entries = {e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "payouts.schedule" in entries
    assert "payouts.services.payouts_recover_stuck" in settings.RECOVERY_SWEEPS


def test_a_refund_after_the_payout_is_netted_off_the_next_payouts_never_below_zero(
    staff, django_capture_on_commit_callbacks
):
    """A refund of a stay already paid out takes back from the host what was transferred: the
    host payable goes negative (ledger_check names it as owed back, not as an error), the next
    payout is reduced by it, and a debt larger than what is due makes no payout at all."""
    listing = ListingFactory(host=host_with_account())
    host = listing.host
    first = paid_stay(listing=listing, days_ago=12)
    [paid_out] = services.payouts_schedule()
    run_on_commit(django_capture_on_commit_callbacks, services.payout_approve, actor=staff,
                  payout=paid_out)  # fmt: skip
    paid_out.refresh_from_db()
    assert paid_out.status == Payout.Status.PAID

    payment = first.payments.get()
    refund = refund_goodwill(actor=staff, payment=payment, amount=payment.amount, reason="Flood")
    assert refund_execute(refund=refund).status == Refund.Status.SUCCEEDED
    debt = host_share(first)
    assert host_payable_balance(host=host, currency="EUR") == -debt
    assert services.host_owed_back(host_id=host.pk, currency="EUR") == debt
    assert_ledger_agrees()  # explained by the records: not a disagreement
    assert host_payables_owed_back() == [(host, "EUR", debt)]

    # A stay worth no more than the debt: no payout (never a zero or negative one).
    second = paid_stay(listing=listing, days_ago=8)
    assert host_share(second) <= debt
    assert services.payouts_schedule() == []
    assert not PayoutLine.objects.filter(booking=second).exists()

    # Another stay: one payout with both lines, less the debt.
    third = paid_stay(listing=listing, days_ago=4)
    [netted] = services.payouts_schedule()
    lines = dict(netted.lines.values_list("booking_id", "amount"))
    assert lines == {second.pk: host_share(second), third.pk: host_share(third)}
    assert netted.amount == host_share(second) + host_share(third) - debt > 0
    assert netted.netted == debt  # visible on the payout (REST `netted`, GraphQL `netted`)
    assert services.payouts_schedule() == []  # nothing netted twice
    run_on_commit(django_capture_on_commit_callbacks, services.payout_approve, actor=staff,
                  payout=netted)  # fmt: skip
    netted.refresh_from_db()
    assert netted.status == Payout.Status.PAID
    transfer = SimulatedOperation.objects.get(kind="transfer", metadata__payout_id=str(netted.pk))
    assert transfer.amount_minor == int(netted.amount * 100)
    assert host_payable_balance(host=host, currency="EUR") == 0
    assert services.host_owed_back(host_id=host.pk, currency="EUR") == 0
    assert host_payables_owed_back() == []
    assert_ledger_agrees()
