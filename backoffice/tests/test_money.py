"""The Money section by role: staff approve and retry payouts (single and bulk, confirmed
first); auditors read everything and change nothing; hosts read their own payouts only;
moderators see no money at all. The booking page shows its payments, refunds and postings."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from ledger.checks import ledger_disagreements
from ledger.models import JournalEntry
from payments.models import Payout, PayoutAccount
from payouts import services
from payouts.tests.support import paid_stay

pytestmark = pytest.mark.django_db

MONEY_PAGES = [
    "admin:payments_payout_changelist",
    "admin:payments_payment_changelist",
    "admin:payments_refund_changelist",
    "admin:ledger_journalentry_changelist",
]


@pytest.fixture
def own_stay(host, own_listing):
    PayoutAccount.objects.create(host=host, stripe_account_id="acct_hannah")
    return paid_stay(listing=own_listing)


@pytest.fixture
def foreign_stay(other_host, foreign_listing):
    PayoutAccount.objects.create(host=other_host, stripe_account_id="acct_other")
    return paid_stay(listing=foreign_listing)


@pytest.fixture
def payouts(own_stay, foreign_stay):
    """{host: their scheduled payout}"""
    return {p.host: p for p in services.payouts_schedule()}


def post_action(client, name, payouts, *, confirm):
    data = {"action": name, ACTION_CHECKBOX_NAME: [str(p.pk) for p in payouts]}
    if confirm:
        data["confirm"] = "yes"
    return client.post(reverse("admin:payments_payout_changelist"), data)


def statuses():
    return sorted(Payout.objects.values_list("status", flat=True))


# --- staff ----------------------------------------------------------------------------------


def test_staff_approve_in_bulk_after_a_confirmation_page_and_the_hosts_are_paid(
    as_staff, payouts, django_capture_on_commit_callbacks
):
    page = post_action(as_staff, "approve", payouts.values(), confirm=False)
    assert page.status_code == 200 and b"confirm-table" in page.content
    assert statuses() == ["scheduled", "scheduled"]  # nothing happens before confirming

    with django_capture_on_commit_callbacks(execute=True):
        done = post_action(as_staff, "approve", payouts.values(), confirm=True)
    assert done.status_code == 302
    assert statuses() == ["paid", "paid"]
    assert JournalEntry.objects.filter(kind="payout").count() == 2
    assert ledger_disagreements() == []


def test_staff_approve_one_from_its_page_and_retry_a_failure(
    as_staff, host, payouts, django_capture_on_commit_callbacks
):
    payout = payouts[host]
    PayoutAccount.objects.filter(host=host).update(stripe_account_id="acct_invalid")
    url = reverse("admin:payments_payout_approve_one", args=[payout.pk])
    assert b"confirm-table" in as_staff.post(url).content
    with django_capture_on_commit_callbacks(execute=True):
        as_staff.post(url, {"confirm": "yes", "action": "approve"})
    payout.refresh_from_db()
    assert payout.status == Payout.Status.FAILED
    page = as_staff.get(reverse("admin:payments_payout_change", args=[payout.pk]))
    assert b"account_invalid" in page.content
    assert b"Approve and pay" not in page.content and b"Retry" in page.content

    PayoutAccount.objects.filter(host=host).update(stripe_account_id="acct_hannah")
    with django_capture_on_commit_callbacks(execute=True):
        post_action(as_staff, "retry", [payout], confirm=True)
    payout.refresh_from_db()
    assert payout.status == Payout.Status.PAID and payout.attempt == 2
    assert ledger_disagreements() == []


def test_staff_export_payouts_as_csv(as_staff, payouts):
    response = as_staff.post(
        reverse("admin:payments_payout_export"), {"format": "0", **_export_fields()}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert all(str(p.pk) in body for p in payouts.values())


def _export_fields() -> dict:
    from backoffice.admin.money import PayoutExportResource

    names = PayoutExportResource.Meta.fields
    return {f"payoutexportresource_{name}": "on" for name in names}


# --- hosts ----------------------------------------------------------------------------------


def test_hosts_read_their_own_payouts_only(as_host, host, other_host, payouts):
    listing = as_host.get(reverse("admin:payments_payout_changelist"))
    assert listing.status_code == 200
    assert str(payouts[host].pk)[:8].encode() in listing.content
    assert str(payouts[other_host].pk)[:8].encode() not in listing.content
    assert "host" not in listing.context["cl"].list_display  # their own email on every row
    own = as_host.get(reverse("admin:payments_payout_change", args=[payouts[host].pk]))
    assert own.status_code == 200 and b"Approve and pay" not in own.content
    assert b"staff@example.test" not in own.content
    foreign = reverse("admin:payments_payout_change", args=[payouts[other_host].pk])
    assert as_host.get(foreign).status_code == 404


def test_hosts_cannot_approve_even_their_own(as_host, host, payouts):
    post_action(as_host, "approve", [payouts[host]], confirm=True)
    url = reverse("admin:payments_payout_approve_one", args=[payouts[host].pk])
    assert as_host.post(url, {"confirm": "yes"}).status_code in (403, 404)
    assert statuses() == ["scheduled", "scheduled"]


@pytest.mark.parametrize("name", MONEY_PAGES[1:])
def test_hosts_see_no_payments_refunds_or_ledger_pages(as_host, payouts, name):
    assert as_host.get(reverse(name)).status_code == 403


# --- auditors and moderators ----------------------------------------------------------------


@pytest.mark.parametrize("name", MONEY_PAGES)
def test_auditors_read_every_money_page(as_auditor, payouts, name):
    response = as_auditor.get(reverse(name))
    assert response.status_code == 200


def test_auditors_change_nothing(as_auditor, host, payouts):
    post_action(as_auditor, "approve", payouts.values(), confirm=True)
    url = reverse("admin:payments_payout_approve_one", args=[payouts[host].pk])
    assert as_auditor.post(url, {"confirm": "yes"}).status_code == 403
    assert statuses() == ["scheduled", "scheduled"]
    page = as_auditor.get(reverse("admin:payments_payout_change", args=[payouts[host].pk]))
    assert page.status_code == 200 and b"Approve and pay" not in page.content


@pytest.mark.parametrize("name", MONEY_PAGES)
def test_moderators_get_403_on_money_pages(as_moderator, payouts, name):
    assert as_moderator.get(reverse(name)).status_code == 403


def test_moderators_see_no_money_on_bookings(as_moderator, own_stay):
    from tests.factories import ReviewFactory

    ReviewFactory(booking=own_stay, listing=own_stay.listing, author=own_stay.guest)
    listing = as_moderator.get(reverse("admin:bookings_booking_changelist"))
    assert listing.status_code == 200 and str(own_stay.pk)[:8].encode() in listing.content
    assert f"{own_stay.total}".encode() not in listing.content
    page = as_moderator.get(reverse("admin:bookings_booking_change", args=[own_stay.pk]))
    assert page.status_code == 200
    for hidden in (b"Price at booking time", b"Payments and refunds", b"Ledger", b"host_fee"):
        assert hidden not in page.content
    nav = as_moderator.get(reverse("admin:index")).content
    assert b"/admin/payments/" not in nav


# --- the booking page -----------------------------------------------------------------------


def test_the_booking_page_shows_payments_refunds_and_postings_to_staff(as_staff, own_stay):
    page = as_staff.get(reverse("admin:bookings_booking_change", args=[own_stay.pk]))
    content = page.content.decode()
    assert "Arrives with payments" not in content
    assert "Payments and refunds" in content and "Succeeded" in content
    assert f"{own_stay.total:,.2f} EUR" in content
    assert "Ledger postings" in content and "Provider cash EUR" in content


def test_hosts_see_their_bookings_payments_but_not_the_ledger(as_host, own_stay):
    content = as_host.get(
        reverse("admin:bookings_booking_change", args=[own_stay.pk])
    ).content.decode()
    assert "Payments and refunds" in content and f"{own_stay.total:,.2f} EUR" in content
    assert "Ledger postings" not in content and "pm_card_visa" not in content


def test_the_dashboard_shows_payouts_due_and_money_received_from_records(
    as_staff, as_host, host, payouts
):
    total_due = sum(p.amount for p in payouts.values())
    staff_page = as_staff.get(reverse("admin:index")).content.decode()
    assert f"{total_due:,.2f} EUR" in staff_page
    host_page = as_host.get(reverse("admin:index")).content.decode()
    assert f"{payouts[host].amount:,.2f} EUR" in host_page
    assert f"{total_due:,.2f} EUR" not in host_page
    assert "Money received" in host_page


# --- goodwill refunds -----------------------------------------------------------------------


def test_staff_give_a_goodwill_refund_up_to_what_is_refundable(
    as_staff, own_stay, django_capture_on_commit_callbacks
):
    from payments.models import Refund

    payment = own_stay.payments.get()
    url = reverse("admin:payments_payment_goodwill_refund", args=[payment.pk])
    form = as_staff.get(url)
    assert form.status_code == 200 and f"{payment.amount:,.2f} EUR".encode() in form.content

    too_much = as_staff.post(url, {"amount": str(payment.amount + 1), "reason": "Leak"})
    assert too_much.status_code == 200 and b"can be refunded" in too_much.content
    no_reason = as_staff.post(url, {"amount": "10.00", "reason": ""})
    assert no_reason.status_code == 200
    assert not Refund.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        done = as_staff.post(url, {"amount": "25.00", "reason": "Broken heater"})
    assert done.status_code == 302
    refund = Refund.objects.get()
    assert (refund.amount, refund.kind, refund.status) == (25, "goodwill", "succeeded")
    assert refund.reason == "Broken heater" and refund.requested_by.email == "staff@example.test"
    assert ledger_disagreements() == []


def test_a_payment_page_lists_refunds_only_when_there_are_some(as_staff, own_stay):
    from payments.models import Refund

    payment = own_stay.payments.get()
    url = reverse("admin:payments_payment_change", args=[payment.pk])
    assert b'id="refunds-group"' not in as_staff.get(url).content

    Refund.objects.create(payment=payment, amount=12, kind="goodwill", reason="Broken heater")
    page = as_staff.get(url).content.decode()
    assert 'id="refunds-group"' in page and "Broken heater" in page


@pytest.mark.parametrize("who", ["as_auditor", "as_host", "as_moderator"])
def test_no_one_else_refunds(request, who, own_stay):
    from payments.models import Refund

    url = reverse("admin:payments_payment_goodwill_refund", args=[own_stay.payments.get().pk])
    response = request.getfixturevalue(who).post(url, {"amount": "5.00", "reason": "x"})
    assert response.status_code in (403, 404)
    assert not Refund.objects.exists()


# --- statements -----------------------------------------------------------------------------


def test_hosts_download_their_own_statement(as_host, host, own_stay, foreign_stay):
    from django.utils import timezone

    month = timezone.now().strftime("%Y-%m")
    url = reverse("admin:statements")
    assert as_host.get(url).status_code == 200
    response = as_host.get(url, {"month": month, "host": str(foreign_stay.listing.host_id)})
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode()
    assert host.email in body and str(own_stay.pk) in body
    assert str(foreign_stay.pk) not in body  # the host field is not theirs to choose
    bad = as_host.get(url, {"month": "2026-99"})
    assert bad.status_code == 200 and b"YYYY-MM" in bad.content


@pytest.mark.parametrize("who", ["as_staff", "as_auditor"])
def test_staff_and_auditors_pick_a_host(request, who, other_host, own_stay, foreign_stay):
    from django.utils import timezone

    client = request.getfixturevalue(who)
    month = timezone.now().strftime("%Y-%m")
    response = client.get(reverse("admin:statements"), {"month": month, "host": other_host.pk})
    body = response.content.decode()
    assert str(foreign_stay.pk) in body and str(own_stay.pk) not in body


def test_moderators_get_no_statements(as_moderator, own_stay):
    assert as_moderator.get(reverse("admin:statements")).status_code == 403


# --- failed refunds -------------------------------------------------------------------------


def _failed_refund(own_stay, capture_on_commit):
    """A goodwill refund the provider refused (it did not know the charge), cause since fixed."""
    from django.contrib.auth.models import Permission

    from payments.models import Payment, Refund
    from payments.services import refund_goodwill
    from tests.factories import UserFactory

    payment = own_stay.payments.get()
    reference = payment.provider_reference
    Payment.objects.filter(pk=payment.pk).update(provider_reference="pi_sim_unknown")
    giver = UserFactory(is_staff=True)
    giver.user_permissions.add(Permission.objects.get(codename="add_refund"))
    with capture_on_commit(execute=True):
        refund_goodwill(actor=giver, payment=payment, amount=10, reason="Noise")
    Payment.objects.filter(pk=payment.pk).update(provider_reference=reference)
    return Refund.objects.get(status="failed")


def test_staff_retry_a_failed_refund_from_its_page_once(
    as_staff, own_stay, django_capture_on_commit_callbacks
):
    from payments.models import Refund

    refund = _failed_refund(own_stay, django_capture_on_commit_callbacks)
    page = as_staff.get(reverse("admin:payments_refund_change", args=[refund.pk])).content
    url = reverse("admin:payments_refund_retry_one", args=[refund.pk])
    assert url.encode() in page
    confirm = as_staff.post(url)
    assert confirm.status_code == 200 and b"confirm-table" in confirm.content
    assert Refund.objects.count() == 1  # nothing happens before confirming

    with django_capture_on_commit_callbacks(execute=True):
        done = as_staff.post(url, {"confirm": "yes", "action": "retry_one"})
    assert done.status_code == 302
    retry = Refund.objects.get(retry_of=refund)
    assert (retry.status, retry.amount) == ("succeeded", refund.amount)
    assert ledger_disagreements() == []
    # Retried once: the button is gone and the action refused.
    page = as_staff.get(reverse("admin:payments_refund_change", args=[refund.pk])).content
    assert url.encode() not in page
    assert as_staff.post(url, {"confirm": "yes"}).status_code == 403
    assert Refund.objects.count() == 2


@pytest.mark.parametrize("who", ["as_auditor", "as_host", "as_moderator"])
def test_no_one_else_retries_a_refund(request, who, own_stay, django_capture_on_commit_callbacks):
    from payments.models import Refund

    refund = _failed_refund(own_stay, django_capture_on_commit_callbacks)
    url = reverse("admin:payments_refund_retry_one", args=[refund.pk])
    response = request.getfixturevalue(who).post(url, {"confirm": "yes"})
    assert response.status_code in (403, 404)
    assert Refund.objects.count() == 1
