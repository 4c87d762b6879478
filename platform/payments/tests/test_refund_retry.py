"""Failed refunds are retried: by staff (`refund_retry`) whatever the reason, once per failed
refund, and by the recovery sweep (`refunds_retry_failed`) for reasons that may pass, a few
times. Each retry is a new refund with a new idempotency key; the ledger stays balanced."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.utils import timezone

from common.errors import DomainError, NotPermitted
from ledger.checks import ledger_disagreements
from payments import services
from payments.models import Payment, Refund, SimulatedOperation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(booking, run_on_commit):
    return run_on_commit(
        services.booking_pay, actor=booking.guest, booking=booking, payment_method="pm_card_visa"
    )


@pytest.fixture
def staff(db):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="add_refund"))
    return user


def failed_refund(paid, staff, run_on_commit, amount=D("40.00")) -> Refund:
    """A goodwill refund the provider refuses (it no longer knows the charge)."""
    reference = paid.provider_reference
    Payment.objects.filter(pk=paid.pk).update(provider_reference="pi_sim_unknown")
    refund = run_on_commit(
        services.refund_goodwill, actor=staff, payment=paid, amount=amount, reason="Noisy street"
    )
    Payment.objects.filter(pk=paid.pk).update(provider_reference=reference)  # fixed since
    refund.refresh_from_db()
    assert (refund.status, refund.failure_code) == ("failed", "charge_not_found")
    return refund


def test_staff_retry_a_failed_refund_once_with_a_new_key(paid, staff, run_on_commit):
    refund = failed_refund(paid, staff, run_on_commit)
    with pytest.raises(NotPermitted):
        services.refund_retry(actor=paid.booking.guest, refund=refund)
    mail.outbox.clear()

    retry = run_on_commit(services.refund_retry, actor=staff, refund=refund)
    retry.refresh_from_db()
    assert (retry.status, retry.retry_of, retry.amount) == ("succeeded", refund, refund.amount)
    assert (retry.kind, retry.reason, retry.requested_by) == ("goodwill", "Noisy street", staff)
    keys = list(
        SimulatedOperation.objects.filter(kind="refund").values_list("idempotency_key", "succeeded")
    )
    assert keys == [(f"staybook-refund-{refund.pk}", False), (f"staybook-refund-{retry.pk}", True)]
    assert services.payment_refundable(paid) == paid.amount - refund.amount
    assert [m.subject for m in mail.outbox] == ["Your refund of 40.00 EUR was sent"]
    assert ledger_disagreements() == []

    with pytest.raises(DomainError) as again:
        services.refund_retry(actor=staff, refund=refund)
    assert again.value.code == "refund_already_retried"
    with pytest.raises(DomainError) as succeeded:
        services.refund_retry(actor=staff, refund=retry)
    assert succeeded.value.code == "refund_not_failed"
    assert retry.history.earliest().history_actor == f"user:{staff.email}"


def test_the_sweep_retries_only_refusals_that_may_pass_a_few_times(
    paid, staff, run_on_commit, settings
):
    settings.REFUND_MAX_AUTO_RETRIES = 2
    for_staff = failed_refund(paid, staff, run_on_commit, amount=D("10.00"))  # charge_not_found
    passing = failed_refund(paid, staff, run_on_commit, amount=D("20.00"))
    an_hour_ago = timezone.now() - timedelta(hours=1)
    Refund.objects.filter(pk=passing.pk).update(failure_code="insufficient_funds",
                                                failed_at=an_hour_ago)  # fmt: skip
    Refund.objects.filter(pk=for_staff.pk).update(failed_at=an_hour_ago)

    # The provider refuses the first retry for the same temporary reason, then accepts.
    Payment.objects.filter(pk=paid.pk).update(provider_reference="pi_sim_unknown")
    assert run_on_commit(services.refunds_retry_failed) == 1
    first = Refund.objects.get(retry_of=passing)
    assert first.status == "failed"
    Refund.objects.filter(pk=first.pk).update(failure_code="insufficient_funds",
                                              failed_at=an_hour_ago)  # fmt: skip
    Payment.objects.filter(pk=paid.pk).update(provider_reference=SimulatedOperation.objects.get(
        kind="charge").reference)  # fmt: skip
    assert run_on_commit(services.refunds_retry_failed) == 1
    second = Refund.objects.get(retry_of=first)
    assert (second.status, second.amount) == ("succeeded", D("20.00"))
    assert second.history.earliest().history_actor == "system:payments.refunds_retry_failed"

    assert run_on_commit(services.refunds_retry_failed) == 0  # nothing left that may pass
    assert not Refund.objects.filter(retry_of=for_staff).exists()
    assert ledger_disagreements() == []


def test_the_sweep_gives_up_after_the_maximum_and_waits_for_staff(
    paid, staff, run_on_commit, settings
):
    settings.REFUND_MAX_AUTO_RETRIES = 1
    refund = failed_refund(paid, staff, run_on_commit)
    long_ago = timezone.now() - timedelta(hours=3)
    Refund.objects.filter(pk=refund.pk).update(failure_code="insufficient_funds",
                                               failed_at=long_ago)  # fmt: skip
    Payment.objects.filter(pk=paid.pk).update(provider_reference="pi_sim_unknown")
    assert run_on_commit(services.refunds_retry_failed) == 1
    retry = Refund.objects.get(retry_of=refund)
    Refund.objects.filter(pk=retry.pk).update(failure_code="insufficient_funds",
                                              failed_at=long_ago)  # fmt: skip
    assert run_on_commit(services.refunds_retry_failed) == 0
    assert "payments.services.refunds_retry_failed" in settings.RECOVERY_SWEEPS
