import graphene

from ..accounts.types import ReviewAuthor
from ..pagination import CountableConnection
from ..scalars import choice_field

ReviewStatus = graphene.Enum(
    "ReviewStatus",
    [("pending", "pending"), ("published", "published"), ("rejected", "rejected")],
    description="Reviews are public once a moderator publishes them.",
)


class Review(graphene.ObjectType):
    id = graphene.UUID(required=True)
    listing_id = graphene.UUID(required=True)
    rating = graphene.Int(required=True)
    cleanliness = graphene.Int()
    accuracy = graphene.Int()
    communication = graphene.Int()
    location = graphene.Int()
    check_in = graphene.Int()
    value = graphene.Int()
    comment = graphene.String(required=True)
    author = graphene.Field(ReviewAuthor, required=True, description="First name only.")
    status = choice_field(ReviewStatus, "status", required=True)
    response = graphene.String(required=True, description="The host's public response.")
    created_at = graphene.DateTime(required=True)


class ReviewConnection(CountableConnection):
    class Meta:
        node = Review
