"""Paying through GraphQL: payBooking, payments/payment queries, refunds on bookings, the
idempotency scope shared with REST, and who may do what."""

import uuid

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts import roles
from ledger.checks import ledger_disagreements
from payments.models import Payment, SimulatedOperation
from tests.factories import HostFactory, UserFactory, make_booking

from .conftest import error_codes

pytestmark = pytest.mark.django_db

PAY = """mutation($id: UUID!, $method: String!, $key: String) {
  payBooking(input: {bookingId: $id, paymentMethod: $method, idempotencyKey: $key}) {
    payment { id status amount currency failureCode paymentMethod }
    replayed errors { field code message } } }"""
BOOKING = """query($id: UUID!) { booking(id: $id) { status refunds { amount status kind } } }"""
PAYMENTS = """{ payments(first: 20) { edges { node {
  id status paymentMethod bookingId refunds { status } } } } }"""
PAYMENT = """query($id: UUID!) { payment(id: $id) { id status paymentMethod } }"""
CANCEL = """mutation($id: UUID!) { cancelBooking(input: {bookingId: $id}) {
  booking { status refunds { amount status } } errors { code } } }"""


@pytest.fixture
def booking(guest, listing):
    return make_booking(guest=guest, listing=listing)


def pay(gql, booking, user, method="pm_card_visa", key=None):
    variables = {"id": str(booking.pk), "method": method, "key": key or str(uuid.uuid4())}
    return gql(PAY, variables, user=user)["data"]["payBooking"]


def test_declined_then_paid(gql, guest, booking):
    declined = pay(gql, booking, guest, "pm_card_chargeDeclined")
    assert error_codes(declined) == ["card_declined"]
    assert declined["errors"][0]["field"] == "paymentMethod"
    assert declined["payment"]["status"] == "failed"
    assert declined["payment"]["failureCode"] == "card_declined"
    paid = pay(gql, booking, guest)
    assert paid["errors"] == []
    assert paid["payment"]["status"] == "succeeded"
    assert paid["payment"]["amount"] == str(booking.total)
    status = gql.data(BOOKING, {"id": str(booking.pk)}, user=guest)["booking"]["status"]
    assert status == "confirmed"
    assert ledger_disagreements() == []


def test_the_same_errors_as_rest(gql, guest, booking):
    pay(gql, booking, guest)
    assert error_codes(pay(gql, booking, guest)) == ["already_paid"]
    assert error_codes(pay(gql, booking, guest, method="")) == ["payment_method_invalid"]


def test_rest_and_graphql_share_the_idempotency_scope(gql, guest, booking):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(guest).access_token}")
    rest = client.post(
        f"/api/v1/bookings/{booking.pk}/pay/", {"payment_method": "pm_card_visa"},
        HTTP_IDEMPOTENCY_KEY="shared-key",
    )  # fmt: skip
    assert rest.status_code == 201
    replay = pay(gql, booking, guest, key="shared-key")
    assert replay["replayed"] is True
    assert replay["payment"]["id"] == rest.data["id"]
    assert SimulatedOperation.objects.filter(kind="charge").count() == 1
    other = pay(gql, booking, guest, method="pm_card_mastercard", key="shared-key")
    assert error_codes(other) == ["idempotency_key_reused"]


def test_payments_as_guest_and_as_host(gql, guest, host, booking):
    pay(gql, booking, guest)
    mine = gql.data(PAYMENTS, user=guest)["payments"]
    assert len(mine["edges"]) == 1
    assert mine["edges"][0]["node"]["paymentMethod"] == "pm_card_visa"
    theirs = gql.data(PAYMENTS, user=host)["payments"]["edges"][0]["node"]
    assert theirs["status"] == "succeeded"
    assert theirs["paymentMethod"] is None  # no card details for the host
    one = gql.data(PAYMENT, {"id": theirs["id"]}, user=host)["payment"]
    assert (one["id"], one["paymentMethod"]) == (theirs["id"], None)


def test_cancel_shows_refunds(gql, guest, booking, django_capture_on_commit_callbacks):
    pay(gql, booking, guest)
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = gql.data(CANCEL, {"id": str(booking.pk)}, user=guest)["cancelBooking"]
    assert cancelled["booking"]["refunds"] == [{"amount": str(booking.total), "status": "pending"}]
    shown = gql.data(BOOKING, {"id": str(booking.pk)}, user=guest)["booking"]["refunds"]
    assert shown == [{"amount": str(booking.total), "status": "succeeded", "kind": "cancellation"}]
    assert ledger_disagreements() == []


def test_nobody_but_the_guest_pays_or_sees_the_payment(gql, guest, booking):
    strangers = {
        "another guest": UserFactory(),
        "another host": HostFactory(),
        "moderator": UserFactory(groups=[roles.MODERATORS], is_staff=True),
        "auditor": UserFactory(groups=[roles.AUDITORS], is_staff=True),
    }
    for name, user in {**strangers, "the listing's host": booking.listing.host}.items():
        refused = pay(gql, booking, user)
        assert (refused["payment"], error_codes(refused)) == (None, ["not_found"]), name
    assert not Payment.objects.exists()
    payment_id = pay(gql, booking, guest)["payment"]["id"]
    for name, user in strangers.items():
        body = gql(PAYMENT, {"id": payment_id}, user=user)
        assert body["data"]["payment"] is None, name
        assert body["errors"][0]["extensions"]["code"] == "not_found"
        assert gql.data(PAYMENTS, user=user)["payments"]["edges"] == [], name
    anonymous = gql(PAYMENTS)
    assert anonymous["errors"][0]["extensions"]["code"] == "not_authenticated"
