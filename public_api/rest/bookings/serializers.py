from rest_framework import serializers

from bookings.models import Booking
from public_api.common.inputs import MAX_REASON_LENGTH
from public_api.rest.fields import money_field


class BookingInput(serializers.Serializer):
    listing = serializers.UUIDField()
    check_in = serializers.DateField()
    check_out = serializers.DateField()
    # Bounds only guard against absurd numbers; the listing's capacity is the core's rule.
    guests = serializers.IntegerField(min_value=0, max_value=1000)


class BookingOut(serializers.ModelSerializer):
    """A booking as its guest or its host sees it (no contact details of either)."""

    listing = serializers.UUIDField(source="listing_id", read_only=True)
    listing_title = serializers.CharField(source="listing.title", read_only=True)
    nights = serializers.IntegerField(read_only=True)
    refund_amount = money_field(allow_null=True)

    class Meta:
        model = Booking
        fields = [
            "id", "listing", "listing_title", "check_in", "check_out", "guests", "status",
            "nights", "nightly_subtotal", "discount", "cleaning_fee", "service_fee", "taxes",
            "total", "currency", "cancellation_policy", "created_at", "refund_amount",
        ]  # fmt: skip
        read_only_fields = fields


class BookingListQuery(serializers.Serializer):
    role = serializers.ChoiceField(
        choices=["guest", "host"],
        required=False,
        help_text="guest (default): your stays; host: bookings of your listings.",
    )


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(
        max_length=MAX_REASON_LENGTH, required=False, allow_blank=True, default=""
    )


class RefundPreview(serializers.Serializer):
    refund_amount = money_field()
    currency = serializers.CharField()
    policy = serializers.CharField()
