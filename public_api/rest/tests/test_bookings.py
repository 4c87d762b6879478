"""bookings/: create (idempotent), list, detail, accept/decline, refund preview, cancel."""

import json
from decimal import Decimal

import pytest
from rest_framework.renderers import JSONRenderer

from bookings.models import Booking
from common.idempotency import fingerprint
from common.models import IdempotencyRecord
from listings.models import Listing
from public_api.common.bookings import booking_public_dict
from public_api.rest.bookings.serializers import BookingOut
from tests.factories import ListingFactory, future, make_booking

pytestmark = pytest.mark.django_db

BOOKINGS = "/api/v1/bookings/"


def stay(listing, start=10, nights=3, guests=2) -> dict:
    return {
        "listing": str(listing.pk),
        "check_in": str(future(start)),
        "check_out": str(future(start + nights)),
        "guests": guests,
    }


def url(booking, tail: str = "") -> str:
    return f"{BOOKINGS}{booking.pk}/{tail}"


# --- create ----------------------------------------------------------------------------------


def test_book_a_stay_with_totals_equal_to_the_quote(as_guest, listing):
    quoted = as_guest.get(
        f"/api/v1/listings/{listing.pk}/quote/",
        {"check_in": future(10), "check_out": future(13), "guests": 2},
    ).data
    response = as_guest.post(BOOKINGS, stay(listing))
    assert response.status_code == 201
    data = response.data
    assert set(data) >= {
        "id", "listing", "listing_title", "check_in", "check_out", "guests", "status", "nights",
        "nightly_subtotal", "discount", "cleaning_fee", "service_fee", "taxes", "total",
        "currency", "cancellation_policy", "created_at",
    }  # fmt: skip
    assert data["status"] == "pending_payment"  # instant book
    assert data["listing_title"] == "Sea view loft"
    for field in ("nightly_subtotal", "discount", "cleaning_fee", "service_fee", "taxes", "total"):
        assert data[field] == quoted[field]


def test_request_to_book_listing_waits_for_the_host(as_guest):
    listing = ListingFactory(instant_book=False)
    assert as_guest.post(BOOKINGS, stay(listing)).data["status"] == "requested"


def test_overlap_is_a_409_dates_unavailable(as_guest, listing):
    make_booking(listing=listing, check_in=future(11))
    response = as_guest.post(BOOKINGS, stay(listing))
    assert (response.status_code, response.data["code"]) == (409, "dates_unavailable")


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"guests": 9}, "guests", "guests_exceed_capacity"),
        ({"guests": 0}, "guests", "guests_invalid"),
        ({"check_out": str(future(10))}, "check_out", "dates_invalid"),
        ({"check_in": str(future(-3)), "check_out": str(future(-1))}, "check_in", "past_dates"),
    ],
)
def test_other_booking_rules_are_400s_with_their_code(as_guest, listing, change, field, code):
    response = as_guest.post(BOOKINGS, {**stay(listing), **change})
    assert response.status_code == 400
    assert response.data["code"] == code
    assert field in response.data


def test_min_nights_is_a_400(as_guest):
    listing = ListingFactory(min_nights=5)
    response = as_guest.post(BOOKINGS, stay(listing))
    assert (response.status_code, response.data["code"]) == (400, "min_nights")


def test_hosts_cannot_book_their_own_listing(as_host, listing):
    response = as_host.post(BOOKINGS, stay(listing))
    assert (response.status_code, response.data["code"]) == (400, "own_listing")


@pytest.mark.parametrize(
    "body",
    [
        {"listing": "nope", "check_in": "2030-01-01", "check_out": "2030-01-02", "guests": 1},
        {"listing": "00000000-0000-0000-0000-000000000000", "check_in": "2030-01-01",
         "check_out": "2030-01-02", "guests": 1},
        {"check_in": "2030-01-01"},
        {"listing": None, "check_in": 5, "check_out": [], "guests": {}},
    ],
)  # fmt: skip
def test_malformed_or_unknown_references_are_400s(as_guest, body):
    assert as_guest.post(BOOKINGS, body).status_code == 400
    assert not Booking.objects.exists()


def test_a_hidden_draft_cannot_be_booked(as_guest):
    draft = ListingFactory(status=Listing.Status.DRAFT)
    response = as_guest.post(BOOKINGS, stay(draft))
    assert response.status_code == 400
    assert "listing" in response.data


def test_booking_needs_a_token(anon, listing):
    assert anon.post(BOOKINGS, stay(listing)).status_code == 401


# --- idempotency -----------------------------------------------------------------------------


def test_same_key_and_body_replays_the_first_response(as_guest, listing):
    first = as_guest.post(BOOKINGS, stay(listing), HTTP_IDEMPOTENCY_KEY="k-1")
    again = as_guest.post(BOOKINGS, stay(listing), HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Booking.objects.count() == 1


@pytest.mark.parametrize("cancelled", [False, True])
def test_the_stored_replay_body_is_exactly_the_rest_representation(guest, listing, cancelled):
    """The body kept with a key (public_api.common) must read like BookingOut, or a replay
    through REST would answer in another shape than the first response."""
    booking = make_booking(listing=listing, guest=guest, check_in=future(30))
    if cancelled:
        Booking.objects.filter(pk=booking.pk).update(
            status="cancelled", refund_amount=Decimal("12.5")
        )
    booking = Booking.objects.select_related("listing").get(pk=booking.pk)
    rest = json.loads(JSONRenderer().render(BookingOut(booking).data))
    assert booking_public_dict(booking) == rest


def test_same_key_with_another_body_is_a_422(as_guest, listing):
    as_guest.post(BOOKINGS, stay(listing), HTTP_IDEMPOTENCY_KEY="k-2")
    response = as_guest.post(BOOKINGS, stay(listing, start=40), HTTP_IDEMPOTENCY_KEY="k-2")
    assert (response.status_code, response.data["code"]) == (422, "idempotency_key_reused")
    assert Booking.objects.count() == 1


def test_keys_are_scoped_per_user(as_guest, as_other_guest, listing):
    as_guest.post(BOOKINGS, stay(listing), HTTP_IDEMPOTENCY_KEY="shared")
    response = as_other_guest.post(BOOKINGS, stay(listing), HTTP_IDEMPOTENCY_KEY="shared")
    assert (response.status_code, response.data["code"]) == (409, "dates_unavailable")


def test_a_repeat_while_the_first_is_running_is_a_409(as_guest, guest, listing):
    body = stay(listing)
    # What the first request leaves behind while it is still running.
    payload = {**body, "guests": 2, "check_in": future(10), "check_out": future(13)}
    payload["listing"] = listing.pk
    IdempotencyRecord.objects.create(
        user=guest, scope="booking_create", key="k-3", fingerprint=fingerprint(payload)
    )
    response = as_guest.post(BOOKINGS, body, HTTP_IDEMPOTENCY_KEY="k-3")
    assert (response.status_code, response.data["code"]) == (409, "idempotency_in_progress")
    assert response["Retry-After"] == "1"  # when to repeat it
    assert not Booking.objects.exists()


def test_a_failed_attempt_frees_the_key_for_a_retry(as_guest, listing):
    blocker = make_booking(listing=listing, check_in=future(11))
    assert as_guest.post(BOOKINGS, stay(listing), HTTP_IDEMPOTENCY_KEY="k-4").status_code == 409
    blocker.occupancy.__class__.objects.filter(pk=blocker.occupancy_id).update(is_active=False)
    assert as_guest.post(BOOKINGS, stay(listing), HTTP_IDEMPOTENCY_KEY="k-4").status_code == 201


def test_an_oversized_key_is_a_400(as_guest, listing):
    response = as_guest.post(BOOKINGS, stay(listing), HTTP_IDEMPOTENCY_KEY="k" * 256)
    assert response.status_code == 400
    assert "idempotency_key" in response.data


# --- reading ---------------------------------------------------------------------------------


def test_guests_list_their_stays_and_hosts_their_listings_bookings(
    as_guest, as_host, guest, listing
):
    mine = make_booking(listing=listing, guest=guest)
    make_booking()  # someone else's stay at someone else's listing
    assert [b["id"] for b in as_guest.get(BOOKINGS).data["results"]] == [str(mine.pk)]
    assert [b["id"] for b in as_host.get(BOOKINGS, {"role": "host"}).data["results"]] == [
        str(mine.pk)
    ]
    assert as_host.get(BOOKINGS).data["results"] == []
    assert as_guest.get(BOOKINGS, {"role": "admin"}).status_code == 400


def test_booking_detail_for_its_guest_and_host_only(
    as_guest, as_host, as_other_guest, as_other_host, anon, guest, listing
):
    booking = make_booking(listing=listing, guest=guest)
    assert as_guest.get(url(booking)).status_code == 200
    assert as_host.get(url(booking)).status_code == 200
    for outsider in (as_other_guest, as_other_host):
        response = outsider.get(url(booking))
        assert response.status_code == 404
        assert response.data == {"detail": "Not found."}
    assert anon.get(url(booking)).status_code == 401
    assert as_guest.get(f"{BOOKINGS}not-a-uuid/").status_code == 400


# --- answering requests ----------------------------------------------------------------------


@pytest.fixture
def request_booking(guest, host):
    return make_booking(listing=ListingFactory(host=host, instant_book=False), guest=guest)


def test_host_accepts_a_request(as_host, request_booking):
    response = as_host.post(url(request_booking, "accept/"))
    assert (response.status_code, response.data["status"]) == (200, "pending_payment")
    again = as_host.post(url(request_booking, "accept/"))
    assert (again.status_code, again.data["code"]) == (409, "invalid_status")


def test_host_declines_a_request(as_host, request_booking):
    response = as_host.post(url(request_booking, "decline/"), {"reason": "Closed"})
    assert (response.status_code, response.data["status"]) == (200, "declined")


def test_only_the_host_answers(as_guest, as_other_guest, as_other_host, request_booking):
    for action in ("accept/", "decline/"):
        guest_try = as_guest.post(url(request_booking, action))
        assert (guest_try.status_code, guest_try.data["code"]) == (403, "not_listing_host")
        assert as_other_guest.post(url(request_booking, action)).status_code == 404
        assert as_other_host.post(url(request_booking, action)).status_code == 404
    request_booking.refresh_from_db()
    assert request_booking.status == "requested"


# --- cancelling ------------------------------------------------------------------------------


def paid(booking):
    Booking.objects.filter(pk=booking.pk).update(status="confirmed", amount_paid=booking.total)
    booking.refresh_from_db()
    return booking


def test_refund_preview_and_cancel_agree(as_guest, guest, listing):
    booking = paid(make_booking(listing=listing, guest=guest, check_in=future(30)))
    preview = as_guest.get(url(booking, "refund-preview/"))
    assert preview.status_code == 200
    assert preview.data == {
        "refund_amount": str(booking.total),  # moderate policy, 30 days ahead: everything
        "currency": "EUR",
        "policy": "moderate",
    }
    response = as_guest.post(url(booking, "cancel/"), {"reason": "Plans changed"})
    assert response.status_code == 200
    assert response.data["status"] == "cancelled"
    assert response.data["refund_amount"] == preview.data["refund_amount"]
    again = as_guest.post(url(booking, "cancel/"))
    assert (again.status_code, again.data["code"]) == (409, "invalid_status")


def test_late_cancellation_refunds_half_without_the_service_fee(as_guest, guest, listing):
    booking = paid(make_booking(listing=listing, guest=guest, check_in=future(2)))
    response = as_guest.post(url(booking, "cancel/"))
    expected = (booking.total - booking.service_fee) / 2
    assert response.data["refund_amount"] == f"{expected:.2f}"


def test_outsiders_cannot_preview_or_cancel(as_other_guest, as_other_host, guest, listing):
    booking = make_booking(listing=listing, guest=guest)
    for outsider in (as_other_guest, as_other_host):
        assert outsider.get(url(booking, "refund-preview/")).status_code == 404
        assert outsider.post(url(booking, "cancel/")).status_code == 404
    booking.refresh_from_db()
    assert booking.status == "pending_payment"


def test_cancel_reason_is_bounded(as_guest, guest, listing):
    booking = make_booking(listing=listing, guest=guest)
    assert as_guest.post(url(booking, "cancel/"), {"reason": "x" * 501}).status_code == 400
