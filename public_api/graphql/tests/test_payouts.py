"""Payouts through GraphQL: a host's own, read-only; another's is not_found."""

import pytest

from payments.models import PayoutAccount
from payouts import services
from payouts.tests.support import paid_stay

pytestmark = pytest.mark.django_db

MINE = """{ myPayouts { edges { node { id amount netted currency status
  lines { bookingId amount checkIn listingTitle } } } } }"""
ONE = "query($id: UUID!) { payout(id: $id) { id status amount } }"


@pytest.fixture
def payouts(host, other_host, listing):
    from tests.factories import ListingFactory

    for owner, where in ((host, listing), (other_host, ListingFactory(host=other_host))):
        PayoutAccount.objects.create(host=owner, stripe_account_id=f"acct_{owner.pk.hex[:8]}")
        paid_stay(listing=where)
    return {p.host: p for p in services.payouts_schedule()}


def test_a_host_reads_their_own_payouts(gql, host, payouts):
    mine = gql.data(MINE, user=host)["myPayouts"]
    assert len(mine["edges"]) == 1
    node = mine["edges"][0]["node"]
    assert node["id"] == str(payouts[host].pk) and node["status"] == "scheduled"
    assert node["lines"][0]["amount"] == str(payouts[host].amount)
    assert node["netted"] == "0.00"
    one = gql.data(ONE, {"id": str(payouts[host].pk)}, user=host)["payout"]
    assert one == {"id": str(payouts[host].pk), "status": "scheduled",
                   "amount": str(payouts[host].amount)}  # fmt: skip


def test_another_hosts_payout_is_not_found(gql, host, other_host, guest, payouts):
    for user in (other_host, guest):
        body = gql(ONE, {"id": str(payouts[host].pk)}, user=user)
        assert body["data"]["payout"] is None
        assert body["errors"][0]["extensions"]["code"] == "not_found"
    assert gql.data(MINE, user=guest)["myPayouts"]["edges"] == []


def test_payouts_need_a_login(gql, payouts):
    body = gql(MINE)
    assert body["data"]["myPayouts"] is None
    assert body["errors"][0]["extensions"]["code"] == "not_authenticated"
