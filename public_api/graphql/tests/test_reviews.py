"""Reviews: a guest reviews a completed stay; the listing's host responds."""

import pytest

from reviews.models import Review
from tests.factories import ReviewFactory, make_booking, make_completed_stay

from .conftest import error_codes

pytestmark = pytest.mark.django_db

CREATE = """
mutation($input: CreateReviewInput!) { createReview(input: $input) {
  review { id rating comment cleanliness status author { firstName } listingId }
  errors { field code message }
} }
"""
RESPOND = """
mutation($id: UUID!, $text: String!) { respondToReview(input: {reviewId: $id, text: $text}) {
  review { id response } errors { field code }
} }
"""


def test_guest_reviews_a_completed_stay(gql, guest, listing):
    stay = make_completed_stay(listing=listing, guest=guest)
    variables = {"input": {"bookingId": str(stay.id), "rating": 5, "comment": "Great",
                           "cleanliness": 4}}  # fmt: skip

    payload = gql.data(CREATE, variables, user=guest)["createReview"]

    assert payload["errors"] == []
    assert payload["review"]["status"] == "pending"
    assert payload["review"]["author"] == {"firstName": "Gina"}
    assert payload["review"]["cleanliness"] == 4
    assert Review.objects.get().booking == stay


@pytest.mark.parametrize(
    ("rating", "extra", "code"),
    [(6, {}, "rating_invalid"), (5, {"value": 0}, "rating_invalid")],
)
def test_ratings_outside_one_to_five_are_refused(gql, guest, listing, rating, extra, code):
    stay = make_completed_stay(listing=listing, guest=guest)
    variables = {"input": {"bookingId": str(stay.id), "rating": rating, **extra}}
    assert error_codes(gql.data(CREATE, variables, user=guest)["createReview"]) == [code]


def test_an_upcoming_stay_cannot_be_reviewed(gql, guest, listing):
    booking = make_booking(listing=listing, guest=guest)
    payload = gql.data(CREATE, {"input": {"bookingId": str(booking.id), "rating": 5}}, user=guest)
    assert payload["createReview"]["errors"][0]["code"] == "review_not_allowed"
    assert payload["createReview"]["errors"][0]["field"] == "bookingId"


def test_a_second_review_of_the_same_stay_is_refused(gql, guest, listing):
    stay = make_completed_stay(listing=listing, guest=guest)
    variables = {"input": {"bookingId": str(stay.id), "rating": 5}}
    gql.data(CREATE, variables, user=guest)
    assert error_codes(gql.data(CREATE, variables, user=guest)["createReview"]) == [
        "review_not_allowed"
    ]


def test_nobody_else_can_review_a_stay(gql, guest, other_guest, host, listing):
    stay = make_completed_stay(listing=listing, guest=guest)
    for stranger in (other_guest, host):
        payload = gql.data(
            CREATE, {"input": {"bookingId": str(stay.id), "rating": 1}}, user=stranger
        )["createReview"]
        assert payload["review"] is None
        assert error_codes(payload) == ["not_found"]


def test_the_host_responds_to_a_review(gql, host, listing):
    review = ReviewFactory(booking=make_completed_stay(listing=listing), status="published")
    payload = gql.data(RESPOND, {"id": str(review.id), "text": " Thanks! "}, user=host)
    assert payload["respondToReview"] == {
        "review": {"id": str(review.id), "response": "Thanks!"},
        "errors": [],
    }


def test_an_empty_response_is_refused(gql, host, listing):
    review = ReviewFactory(booking=make_completed_stay(listing=listing))
    payload = gql.data(RESPOND, {"id": str(review.id), "text": "  "}, user=host)
    assert payload["respondToReview"]["errors"] == [{"field": "text", "code": "response_required"}]


def test_other_hosts_and_guests_cannot_respond(gql, other_host, guest, listing):
    review = ReviewFactory(booking=make_completed_stay(listing=listing, guest=guest))
    for stranger in (other_host, guest):
        payload = gql.data(RESPOND, {"id": str(review.id), "text": "Hi"}, user=stranger)
        assert error_codes(payload["respondToReview"]) == ["not_found"]
    assert Review.objects.get(pk=review.pk).response == ""
