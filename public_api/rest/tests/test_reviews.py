"""reviews/ and reviews/{id}/response/."""

import pytest

from reviews.models import Review
from tests.factories import ReviewFactory, make_booking, make_completed_stay

from .conftest import client_for

pytestmark = pytest.mark.django_db

REVIEWS = "/api/v1/reviews/"


def test_guest_reviews_a_completed_stay(as_guest, guest, listing):
    stay = make_completed_stay(listing=listing, guest=guest)
    response = as_guest.post(
        REVIEWS, {"booking": str(stay.pk), "rating": 5, "comment": "Great", "cleanliness": 4}
    )
    assert response.status_code == 201
    assert response.data["status"] == "pending"
    assert response.data["cleanliness"] == 4
    assert response.data["accuracy"] is None
    again = as_guest.post(REVIEWS, {"booking": str(stay.pk), "rating": 4})
    assert (again.status_code, again.data["code"]) == (409, "review_not_allowed")


def test_an_unfinished_stay_cannot_be_reviewed(as_guest, guest, listing):
    booking = make_booking(listing=listing, guest=guest)
    response = as_guest.post(REVIEWS, {"booking": str(booking.pk), "rating": 5})
    assert (response.status_code, response.data["code"]) == (409, "review_not_allowed")


@pytest.mark.parametrize(
    "change",
    [{"rating": 6}, {"rating": 0}, {"rating": "five"}, {"value": 9}, {"comment": "x" * 2001}],
)
def test_review_input_is_validated(as_guest, guest, listing, change):
    stay = make_completed_stay(listing=listing, guest=guest)
    response = as_guest.post(REVIEWS, {"booking": str(stay.pk), "rating": 5, **change})
    assert response.status_code == 400
    assert not Review.objects.exists()


def test_nobody_reviews_someone_elses_stay(as_other_guest, as_host, guest, listing):
    stay = make_completed_stay(listing=listing, guest=guest)
    for client in (as_other_guest, as_host):
        response = client.post(REVIEWS, {"booking": str(stay.pk), "rating": 1})
        assert response.status_code == 400
        assert "booking" in response.data
    assert not Review.objects.exists()


def test_the_listings_host_responds(as_host, listing):
    review = ReviewFactory(booking=make_completed_stay(listing=listing))
    response = as_host.post(f"{REVIEWS}{review.pk}/response/", {"text": "Come back soon"})
    assert response.status_code == 200
    assert response.data["response"] == "Come back soon"
    empty = as_host.post(f"{REVIEWS}{review.pk}/response/", {"text": "  "})
    assert empty.status_code == 400


def test_only_the_host_responds(as_other_host, as_other_guest, guest, listing):
    review = ReviewFactory(
        booking=make_completed_stay(listing=listing, guest=guest), status=Review.Status.PUBLISHED
    )
    for client in (as_other_host, as_other_guest, client_for(guest)):
        response = client.post(f"{REVIEWS}{review.pk}/response/", {"text": "Mine"})
        assert response.status_code == 404
    review.refresh_from_db()
    assert review.response == ""
