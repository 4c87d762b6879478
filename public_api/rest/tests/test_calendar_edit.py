"""The host's calendar through REST and GraphQL: prices and closed nights over a range."""

import pytest

from calendars.models import CalendarDay
from tests.factories import future, make_booking

pytestmark = pytest.mark.django_db


def url(listing):
    return f"/api/v1/listings/{listing.pk}/calendar/"


def test_a_host_prices_closes_reopens_and_clears(as_host, listing):
    body = {"start": future(10), "end": future(13), "price": "150.00"}
    response = as_host.put(url(listing), body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["changed"] == 3
    assert [d["price"] for d in response.json()["days"]] == ["150.00"] * 3

    closed = as_host.put(
        url(listing), {"start": future(11), "end": future(13), "closed": True}, format="json"
    ).json()
    assert closed["changed"] == 2
    assert [d["available"] for d in closed["days"]] == [False, False]
    assert CalendarDay.objects.filter(is_blocked=True, price=150).count() == 2

    reopened = as_host.put(
        url(listing), {"start": future(12), "end": future(13), "closed": False}, format="json"
    ).json()
    assert reopened["days"] == [{"date": str(future(12)), "available": True, "price": "150.00"}]

    cleared = as_host.delete(f"{url(listing)}?start={future(10)}&end={future(13)}")
    assert cleared.status_code == 200
    assert cleared.json()["changed"] == 3
    assert not CalendarDay.objects.exists()


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"start": "{past}", "end": "{soon}", "closed": True}, 400, "past_dates"),
        ({"start": "{soon}", "end": "{later}", "price": "0"}, 400, "invalid_price"),
        ({"start": "{soon}", "end": "{later}", "price": "-5"}, 400, "invalid_price"),
        ({"start": "{later}", "end": "{soon}", "closed": True}, 400, "dates_invalid"),
        ({"start": "{soon}", "end": "{later}"}, 400, "nothing_to_set"),
        ({"start": "{booked}", "end": "{after_booked}", "closed": True}, 409,
         "dates_unavailable"),
    ],
)  # fmt: skip
def test_refusals_change_nothing(as_host, listing, body, status, code):
    make_booking(listing=listing, check_in=future(40), nights=2)
    dates = {"past": future(-2), "soon": future(5), "later": future(8), "booked": future(38),
             "after_booked": future(42)}  # fmt: skip
    body = {k: v.format(**dates) if isinstance(v, str) else v for k, v in body.items()}
    response = as_host.put(url(listing), body, format="json")
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert not CalendarDay.objects.exists()


def test_other_hosts_are_refused(as_other_host, anon, listing):
    body = {"start": future(5), "end": future(6), "closed": True}
    response = as_other_host.put(url(listing), body, format="json")
    assert (response.status_code, response.json()["code"]) == (403, "not_listing_host")
    assert anon.put(url(listing), body, format="json").status_code == 401
    assert not CalendarDay.objects.exists()
