"""The read cache never shows an old state after a write: every kind of write, then the next
read through REST and through GraphQL (each warmed first, so a stale entry would be served).

With REDIS_URL (CI) the cache is Redis; without, local memory: both run these tests."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts import roles
from calendars.models import CalendarDay
from reviews.services import review_publish
from tests.factories import ListingFactory, ReviewFactory, UserFactory, future, make_completed_stay

pytestmark = pytest.mark.django_db

CHECK_IN, NIGHTS = 40, 3


def client(user=None) -> APIClient:
    api = APIClient()
    if user is not None:
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return api


def graphql(query: str, variables: dict) -> dict:
    response = APIClient().post("/graphql/", json.dumps({"query": query, "variables": variables}),
                                content_type="application/json")  # fmt: skip
    assert response.status_code == 200, response.content
    return response.json()


def stay() -> tuple[dt.date, dt.date]:
    return future(CHECK_IN), future(CHECK_IN + NIGHTS)


class Rest:
    def detail(self, listing) -> dict:
        body = client().get(f"/api/v1/listings/{listing.pk}/").json()
        return {"price": Decimal(body["nightly_price"]), "rating": body["rating"],
                "reviews": body["review_count"]}  # fmt: skip

    def search(self, listing) -> bool:
        check_in, check_out = stay()
        body = client().get("/api/v1/listings/", {"city": listing.city, "check_in": check_in,
                                                  "check_out": check_out}).json()  # fmt: skip
        return str(listing.pk) in [item["id"] for item in body["results"]]

    def available(self, listing) -> list[bool]:
        check_in, check_out = stay()
        body = client().get(f"/api/v1/listings/{listing.pk}/availability/",
                            {"start": check_in, "end": check_out}).json()  # fmt: skip
        return [day["available"] for day in body["days"]]

    def quote(self, listing):
        check_in, check_out = stay()
        query = {"check_in": check_in, "check_out": check_out, "guests": 2}
        response = client().get(f"/api/v1/listings/{listing.pk}/quote/", query)
        body = response.json()
        return Decimal(body["total"]) if response.status_code == 200 else body["code"]


class GraphQL:
    def detail(self, listing) -> dict:
        body = graphql("query($id: UUID!) { listing(id: $id) { nightlyPrice rating reviewCount } }",
                       {"id": str(listing.pk)})["data"]["listing"]  # fmt: skip
        return {"price": Decimal(body["nightlyPrice"]), "rating": body["rating"],
                "reviews": body["reviewCount"]}  # fmt: skip

    def search(self, listing) -> bool:
        check_in, check_out = stay()
        body = graphql(
            "query($city: String, $in: Date, $out: Date) { listings(city: $city, checkIn: $in,"
            " checkOut: $out) { edges { node { id } } } }",
            {"city": listing.city, "in": str(check_in), "out": str(check_out)},
        )  # fmt: skip
        return str(listing.pk) in [e["node"]["id"] for e in body["data"]["listings"]["edges"]]

    def available(self, listing) -> list[bool]:
        check_in, check_out = stay()
        body = graphql(
            "query($id: UUID!, $start: Date!, $end: Date!) { availability(listingId: $id,"
            " start: $start, end: $end) { available } }",
            {"id": str(listing.pk), "start": str(check_in), "end": str(check_out)},
        )  # fmt: skip
        return [day["available"] for day in body["data"]["availability"]]

    def quote(self, listing):
        check_in, check_out = stay()
        body = graphql(
            "query($id: UUID!, $in: Date!, $out: Date!) { quote(listingId: $id, checkIn: $in,"
            " checkOut: $out, guests: 2) { total } }",
            {"id": str(listing.pk), "in": str(check_in), "out": str(check_out)},
        )  # fmt: skip
        if body["data"]["quote"] is None:
            return body["errors"][0]["extensions"]["code"]
        return Decimal(body["data"]["quote"]["total"])


READERS = [Rest(), GraphQL()]


def read_all(listing) -> list[dict]:
    """Every cached read, through both APIs; both must agree."""
    states = [{"detail": r.detail(listing), "search": r.search(listing),
               "available": r.available(listing), "quote": r.quote(listing)}
              for r in READERS]  # fmt: skip
    assert states[0] == states[1], states
    return states[0]


@pytest.fixture
def listing():
    return ListingFactory(city="Cachetown", nightly_price=Decimal("100.00"))


def test_a_price_change(listing):
    before = read_all(listing)
    response = client(listing.host).patch(f"/api/v1/listings/{listing.pk}/",
                                          {"nightly_price": "150.00"}, format="json")  # fmt: skip
    assert response.status_code == 200
    after = read_all(listing)
    assert (before["detail"]["price"], after["detail"]["price"]) == (100, 150)
    assert after["quote"] > before["quote"]


def test_a_calendar_override(listing):
    before = read_all(listing)
    CalendarDay.objects.create(listing=listing, date=future(CHECK_IN), price=Decimal("500.00"))
    assert read_all(listing)["quote"] > before["quote"]


def test_a_host_block_and_its_removal(listing):
    before = read_all(listing)
    assert before["search"] and before["available"] == [True] * NIGHTS
    check_in, check_out = stay()
    response = client(listing.host).post(f"/api/v1/listings/{listing.pk}/blocks/",
                                         {"start": check_in, "end": check_out})  # fmt: skip
    assert response.status_code == 201
    blocked = read_all(listing)
    assert not blocked["search"] and blocked["available"] == [False] * NIGHTS
    assert blocked["quote"] == "dates_unavailable"
    url = f"/api/v1/listings/{listing.pk}/blocks/{response.json()['id']}/"
    assert client(listing.host).delete(url).status_code == 204
    assert read_all(listing) == before


def test_a_booking_and_its_cancellation(listing):
    before = read_all(listing)
    guest = UserFactory()
    check_in, check_out = stay()
    response = client(guest).post("/api/v1/bookings/", {
        "listing": str(listing.pk), "check_in": check_in, "check_out": check_out, "guests": 2,
    }, format="json", HTTP_IDEMPOTENCY_KEY="cache-test-1")  # fmt: skip
    assert response.status_code == 201, response.content
    booked = read_all(listing)
    assert not booked["search"] and booked["available"] == [False] * NIGHTS
    cancel = client(guest).post(f"/api/v1/bookings/{response.json()['id']}/cancel/", {},
                                format="json")  # fmt: skip
    assert cancel.status_code == 200
    assert read_all(listing) == before


def test_a_published_review(listing):

    review = ReviewFactory(booking=make_completed_stay(listing=listing), rating=4)
    before = read_all(listing)
    assert (before["detail"]["rating"], before["detail"]["reviews"]) == (None, 0)
    review_publish(review=review, actor=UserFactory(groups=[roles.MODERATORS]))
    after = read_all(listing)
    assert (Decimal(after["detail"]["rating"]), after["detail"]["reviews"]) == (4, 1)
