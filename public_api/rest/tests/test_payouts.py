"""GET /api/v1/payouts/: hosts read their own payouts; anyone else's is a 404."""

import pytest

from payments.models import PayoutAccount
from payouts import services
from payouts.tests.support import paid_stay
from tests.factories import ListingFactory, UserFactory

from .conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def payouts(host, other_host):
    for owner in (host, other_host):
        PayoutAccount.objects.create(host=owner, stripe_account_id=f"acct_{owner.first_name}")
        listing = ListingFactory(host=owner)
        paid_stay(listing=listing), paid_stay(listing=listing, days_ago=8)
    return {p.host: p for p in services.payouts_schedule()}


def test_a_host_lists_and_reads_their_own_payouts(host, payouts, django_assert_max_num_queries):
    client = client_for(host)
    with django_assert_max_num_queries(6):
        body = client.get("/api/v1/payouts/").json()
    [item] = body["results"]
    own = payouts[host]
    assert item["id"] == str(own.pk) and item["status"] == "scheduled"
    assert item["amount"] == str(own.amount) and len(item["lines"]) == 2
    assert sum(float(line["amount"]) for line in item["lines"]) == float(own.amount)
    assert item["netted"] == "0.00"  # nothing owed back
    detail = client.get(f"/api/v1/payouts/{own.pk}/")
    assert detail.status_code == 200 and detail.json()["id"] == str(own.pk)


@pytest.mark.parametrize("who", ["other host", "guest", "staff-free user"])
def test_anyone_elses_payout_is_a_404(host, other_host, payouts, who):
    stay_guest = payouts[host].lines.first().booking.guest
    user = {"other host": other_host, "guest": stay_guest, "staff-free user": UserFactory()}[who]
    client = client_for(user)
    assert client.get(f"/api/v1/payouts/{payouts[host].pk}/").status_code == 404
    listed = [p["id"] for p in client.get("/api/v1/payouts/").json()["results"]]
    assert str(payouts[host].pk) not in listed


def test_payouts_need_a_login_and_a_uuid(host, payouts):
    assert client_for().get("/api/v1/payouts/").status_code == 401
    assert client_for(host).get("/api/v1/payouts/not-a-uuid/").status_code == 400
    assert client_for(host).post("/api/v1/payouts/", {}).status_code == 405
