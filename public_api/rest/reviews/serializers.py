from rest_framework import serializers

from reviews.models import CATEGORY_FIELDS, Review


def _stars(**kwargs):
    return serializers.IntegerField(min_value=1, max_value=5, **kwargs)


class ReviewInput(serializers.Serializer):
    booking = serializers.UUIDField()
    rating = _stars()
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    cleanliness = _stars(required=False, allow_null=True)
    accuracy = _stars(required=False, allow_null=True)
    communication = _stars(required=False, allow_null=True)
    location = _stars(required=False, allow_null=True)
    check_in = _stars(required=False, allow_null=True)
    value = _stars(required=False, allow_null=True)


class ReviewOut(serializers.ModelSerializer):
    """A review as its author or the listing's host sees it (the author is implied)."""

    booking = serializers.UUIDField(source="booking_id", read_only=True)
    listing = serializers.UUIDField(source="listing_id", read_only=True)

    class Meta:
        model = Review
        fields = [
            "id",
            "booking",
            "listing",
            "rating",
            *CATEGORY_FIELDS,
            "comment",
            "status",
            "created_at",
            "response",
        ]
        read_only_fields = fields


class ResponseInput(serializers.Serializer):
    text = serializers.CharField(max_length=2000)
