import graphene

from bookings.selectors import booking_list_for_guest
from common.errors import NotFound
from reviews.models import Review as ReviewModel
from reviews.services import review_create, review_respond

from ..context import require_user
from ..mutations import DomainMutation
from .types import Review


class CreateReviewInput(graphene.InputObjectType):
    booking_id = graphene.UUID(required=True)
    rating = graphene.Int(required=True, description="1 to 5.")
    comment = graphene.String()
    cleanliness = graphene.Int()
    accuracy = graphene.Int()
    communication = graphene.Int()
    location = graphene.Int()
    check_in = graphene.Int()
    value = graphene.Int()


class CreateReview(DomainMutation):
    """Review your completed stay; it is published after moderation (status pending)."""

    class Arguments:
        input = CreateReviewInput(required=True)

    review = graphene.Field(Review)
    field_renames = {"booking": "bookingId"}

    @classmethod
    def perform(cls, info, *, booking_id, rating, comment=None, **categories):
        user = require_user(info)
        booking = booking_list_for_guest(user).filter(pk=booking_id).first()
        if booking is None:
            raise NotFound()
        categories = {name: value for name, value in categories.items() if value is not None}
        review = review_create(
            author=user, booking=booking, rating=rating, comment=comment or "", **categories
        )
        return {"review": review}


class RespondToReviewInput(graphene.InputObjectType):
    review_id = graphene.UUID(required=True)
    text = graphene.String(required=True)


class RespondToReview(DomainMutation):
    """The listing's host answers a review publicly."""

    class Arguments:
        input = RespondToReviewInput(required=True)

    review = graphene.Field(Review)
    field_renames = {"review": "reviewId"}

    @classmethod
    def perform(cls, info, *, review_id, text):
        user = require_user(info)
        review = ReviewModel.objects.select_related("listing", "author").filter(pk=review_id)
        review = review.first()
        if review is None:
            raise NotFound()
        return {"review": review_respond(review=review, actor=user, text=text)}


class ReviewMutations(graphene.ObjectType):
    create_review = CreateReview.Field()
    respond_to_review = RespondToReview.Field()
