"""REST and GraphQL over the same core: the same stay gets the same price and the same refusal."""

import datetime as dt
import threading

import pytest
from django.db import connection

from bookings.models import Booking
from tests.bodies import without_request_id
from tests.factories import ListingFactory, UserFactory, future, make_booking

from .conftest import GraphQLClient, bearer

QUOTE = """
query($id: UUID!, $in: Date!, $out: Date!, $guests: Int!) {
  quote(listingId: $id, checkIn: $in, checkOut: $out, guests: $guests) {
    nights nightlySubtotal discount cleaningFee serviceFee taxes total currency
  }
}
"""
CREATE = """
mutation($input: CreateBookingInput!) { createBooking(input: $input) {
  booking { id total status } errors { field code }
} }
"""


def rest_quote(client, listing, check_in, check_out, guests):
    return client.get(
        f"/api/v1/listings/{listing.id}/quote/",
        {"check_in": str(check_in), "check_out": str(check_out), "guests": guests},
    )


@pytest.mark.django_db
def test_the_same_stay_has_the_same_quote_through_both_apis(client, gql):
    listing = ListingFactory(weekly_discount=10, tax_rate=5, cleaning_fee=25)
    check_in, check_out = future(14), future(22)  # 8 nights: the weekly discount applies

    rest = rest_quote(client, listing, check_in, check_out, 2)
    graph = gql.data(QUOTE, {"id": str(listing.id), "in": str(check_in),
                             "out": str(check_out), "guests": 2})["quote"]  # fmt: skip

    assert rest.status_code == 200, rest.content
    rest = rest.json()
    for rest_name, graph_name in [
        ("nights", "nights"), ("nightly_subtotal", "nightlySubtotal"), ("discount", "discount"),
        ("cleaning_fee", "cleaningFee"), ("service_fee", "serviceFee"), ("taxes", "taxes"),
        ("total", "total"), ("currency", "currency"),
    ]:  # fmt: skip
        assert rest[rest_name] == graph[graph_name], rest_name


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("guests", "booked", "code", "status"),
    [(9, False, "guests_exceed_capacity", 400), (2, True, "dates_unavailable", 409)],
)
def test_the_same_refusal_has_the_same_code_through_both_apis(
    client, gql, guests, booked, code, status
):
    listing = ListingFactory()
    check_in, check_out = future(30), future(33)
    if booked:
        make_booking(listing=listing, check_in=check_in, nights=3)
    user = UserFactory()

    rest = client.post(
        "/api/v1/bookings/",
        {"listing": str(listing.id), "check_in": str(check_in), "check_out": str(check_out),
         "guests": guests},
        content_type="application/json",
        **bearer(user),
    )  # fmt: skip
    graph = gql.data(
        CREATE,
        {"input": {"listingId": str(listing.id), "checkIn": str(check_in),
                   "checkOut": str(check_out), "guests": guests}},
        user=user,
    )["createBooking"]  # fmt: skip

    assert rest.status_code == status
    assert rest.json()["code"] == code
    assert [e["code"] for e in graph["errors"]] == [code]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_bookings_of_the_same_nights_one_wins(client):
    """Two guests race for the same nights through GraphQL: exactly one booking exists and the
    other is told `dates_unavailable` (the exclusion constraint has the last word)."""
    listing = ListingFactory()
    guests = [UserFactory(), UserFactory()]
    check_in = future(50)
    check_out = check_in + dt.timedelta(days=4)
    variables = {"input": {"listingId": str(listing.id), "checkIn": str(check_in),
                           "checkOut": str(check_out), "guests": 2}}  # fmt: skip
    barrier = threading.Barrier(len(guests))
    results = []

    def book(user):
        from django.test import Client

        try:
            barrier.wait()
            body = GraphQLClient(Client()).data(CREATE, variables, user=user)
            results.append(body["createBooking"])
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(user,)) for user in guests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    codes = sorted(tuple(e["code"] for e in result["errors"]) for result in results)
    assert codes == [(), ("dates_unavailable",)]
    assert Booking.objects.filter(listing=listing).count() == 1


# --- input checks that must refuse (or accept) the same way through both APIs ---------------

SEARCH = """
query($min: Money, $max: Money) {
  listings(minPrice: $min, maxPrice: $max) { edges { node { id } } }
}
"""


@pytest.mark.django_db
@pytest.mark.parametrize(("rest_name", "variables"), [("min_price", {"min": "-5"}),
                                                      ("max_price", {"max": "-0.01"})])  # fmt: skip
def test_a_negative_price_filter_is_refused_alike(client, gql, rest_name, variables):
    ListingFactory()
    rest = client.get("/api/v1/listings/", {rest_name: next(iter(variables.values()))})
    body = gql(SEARCH, variables)

    assert rest.status_code == 400
    assert body["data"]["listings"] is None
    (error,) = body["errors"]
    assert without_request_id(rest) == {
        rest_name: [error["message"]],
        "code": error["extensions"]["code"],
    }
    assert error["extensions"]["code"] == "invalid_filter"


CREATE_LISTING = """
mutation($input: CreateListingInput!) { createListing(input: $input) {
  listing { id currency } errors { field code message }
} }
"""


@pytest.mark.django_db
def test_currency_any_case_and_external_id_through_both_apis(client, gql):
    host = UserFactory()
    fields = {"title": "Loft", "city": "Lisbon", "country": "pt", "currency": "eur"}
    rest = client.post(
        "/api/v1/listings/",
        {**fields, "nightly_price": "80.00", "external_id": "REST-1"},
        content_type="application/json",
        **bearer(host),
    )
    graph = gql.data(
        CREATE_LISTING,
        {"input": {**fields, "nightlyPrice": "80.00", "externalId": "GQL-1"}},
        user=host,
    )["createListing"]

    assert rest.status_code == 201, rest.content
    assert (rest.json()["currency"], rest.json()["country"]) == ("EUR", "PT")
    assert graph["errors"] == [] and graph["listing"]["currency"] == "EUR"
    assert set(host.listings.values_list("external_id", flat=True)) == {"REST-1", "GQL-1"}
    # The host's reference is theirs to keep unique, through either API.
    again = client.post(
        "/api/v1/listings/",
        {**fields, "nightly_price": "80.00", "external_id": "GQL-1"},
        content_type="application/json",
        **bearer(host),
    )
    assert (again.status_code, again.json()["code"]) == (400, "duplicate_external_id")
    unsupported = gql.data(
        CREATE_LISTING, {"input": {**fields, "nightlyPrice": "80.00", "currency": "xyz"}}, user=host
    )["createListing"]
    assert [e["code"] for e in unsupported["errors"]] == ["invalid_currency"]


CANCEL = """
mutation($id: UUID!, $reason: String) { cancelBooking(input: {bookingId: $id, reason: $reason}) {
  booking { status } errors { field code message }
} }
"""


@pytest.mark.django_db
def test_a_too_long_cancel_reason_is_refused_not_truncated(client, gql):
    guest = UserFactory()
    booking = make_booking(listing=ListingFactory(), guest=guest, check_in=future(30))
    reason = "x" * 501

    rest = client.post(
        f"/api/v1/bookings/{booking.id}/cancel/",
        {"reason": reason},
        content_type="application/json",
        **bearer(guest),
    )
    graph = gql.data(CANCEL, {"id": str(booking.id), "reason": reason}, user=guest)
    graph = graph["cancelBooking"]

    assert rest.status_code == 400 and "reason" in rest.json()
    assert graph["booking"] is None
    assert graph["errors"] == [
        {"field": "reason", "code": "too_long", "message": rest.json()["reason"][0]}
    ]
    booking.refresh_from_db()
    assert booking.status != "cancelled" and booking.cancellation_reason == ""
    # 500 characters are accepted.
    ok = gql.data(CANCEL, {"id": str(booking.id), "reason": "y" * 500}, user=guest)
    assert ok["cancelBooking"]["booking"]["status"] == "cancelled"


# --- availability and refund preview: the same rows, the same amounts, the same refusals -------

AVAILABILITY = """
query($id: UUID!, $start: Date!, $end: Date!) {
  availability(listingId: $id, start: $start, end: $end) { date available price }
}
"""


@pytest.mark.django_db
def test_the_same_availability_through_both_apis(client, gql):
    listing = ListingFactory(weekend_price=150)
    make_booking(listing=listing, check_in=future(5), nights=3)
    window = {"start": str(future(1)), "end": str(future(15))}

    rest = client.get(f"/api/v1/listings/{listing.id}/availability/", window)
    graph = gql.data(AVAILABILITY, {"id": str(listing.id), **window})["availability"]

    assert rest.status_code == 200, rest.content
    assert rest.json()["days"] == graph
    assert {day["available"] for day in graph} == {True, False}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "end", "code"),
    [(10, 10, "dates_invalid"), (10, 5, "dates_invalid"), (1, 368, "range_too_long")],
)
def test_a_bad_availability_range_is_refused_alike(client, gql, start, end, code):
    listing = ListingFactory()
    window = {"start": str(future(start)), "end": str(future(end))}

    rest = client.get(f"/api/v1/listings/{listing.id}/availability/", window)
    body = gql(AVAILABILITY, {"id": str(listing.id), **window})

    assert rest.status_code == 400
    assert body["data"]["availability"] is None
    (error,) = body["errors"]
    assert error["extensions"] == {"code": code, "field": "end"}
    assert without_request_id(rest) == {"end": [error["message"]], "code": code}


@pytest.mark.django_db
def test_a_hidden_listings_availability_is_not_found_through_both_apis(client, gql):
    draft = ListingFactory(status="draft")
    window = {"start": str(future(1)), "end": str(future(3))}

    rest = client.get(f"/api/v1/listings/{draft.id}/availability/", window)
    body = gql(AVAILABILITY, {"id": str(draft.id), **window})

    assert rest.status_code == 404
    assert body["data"]["availability"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["not_found"]


PREVIEW = """
query($id: UUID!) { refundPreview(bookingId: $id) { refundAmount currency policy } }
"""


@pytest.mark.django_db
@pytest.mark.parametrize(("days_ahead", "who"), [(30, "guest"), (3, "guest"), (3, "host")])
def test_the_same_refund_preview_through_both_apis(client, gql, days_ahead, who):
    listing = ListingFactory(cancellation_policy="moderate")
    booking = make_booking(listing=listing, check_in=future(days_ahead))
    Booking.objects.filter(pk=booking.pk).update(status="confirmed", amount_paid=booking.total)
    caller = booking.guest if who == "guest" else listing.host

    rest = client.get(f"/api/v1/bookings/{booking.id}/refund-preview/", **bearer(caller))
    graph = gql.data(PREVIEW, {"id": str(booking.id)}, user=caller)["refundPreview"]

    assert rest.status_code == 200, rest.content
    rest = rest.json()
    assert (rest["refund_amount"], rest["currency"], rest["policy"]) == (
        graph["refundAmount"], graph["currency"], graph["policy"],
    )  # fmt: skip


@pytest.mark.django_db
def test_someone_elses_refund_preview_is_not_found_through_both_apis(client, gql):
    booking = make_booking(listing=ListingFactory(), check_in=future(30))
    stranger = UserFactory()

    rest = client.get(f"/api/v1/bookings/{booking.id}/refund-preview/", **bearer(stranger))
    body = gql(PREVIEW, {"id": str(booking.id)}, user=stranger)

    assert rest.status_code == 404 and without_request_id(rest) == {
        "detail": "Not found.",
        "code": "not_found",
    }
    assert body["data"]["refundPreview"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["not_found"]
    assert str(booking.total) not in str(body)


UPDATE_ME = """
mutation($input: UpdateMeInput!) { updateMe(input: $input) {
  user { firstName phone bio } errors { field code message }
} }
"""


@pytest.mark.django_db
def test_profile_updates_and_refusals_read_alike(client, gql):
    user = UserFactory()
    rest = client.patch(
        "/api/v1/me/", {"phone": "9" * 33}, content_type="application/json", **bearer(user)
    )
    graph = gql.data(UPDATE_ME, {"input": {"phone": "9" * 33}}, user=user)["updateMe"]

    assert rest.status_code == 400
    assert rest.json()["phone"] == [e["message"] for e in graph["errors"]]

    rest = client.patch(
        "/api/v1/me/", {"bio": "Via REST"}, content_type="application/json", **bearer(user)
    )
    graph = gql.data(UPDATE_ME, {"input": {"firstName": "Via GraphQL"}}, user=user)["updateMe"]
    assert rest.status_code == 200 and graph["errors"] == []
    assert graph["user"] == {"firstName": "Via GraphQL", "phone": user.phone, "bio": "Via REST"}
