from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bookings.models import Booking
from payments.selectors import refunds_of_booking
from public_api.common.bookings import refund_public_dict
from public_api.rest.fields import money_field
from public_api.rest.payments.serializers import RefundOut


class BookingInput(serializers.Serializer):
    listing = serializers.UUIDField()
    check_in = serializers.DateField()
    check_out = serializers.DateField(
        help_text="After check_in: a stay is at least one night (else 400)."
    )
    # Bounds only guard against absurd numbers; the listing's capacity is the core's rule.
    guests = serializers.IntegerField(min_value=0, max_value=1000)


class BookingOut(serializers.ModelSerializer):
    """A booking as its guest or its host sees it (no contact details of either)."""

    listing = serializers.UUIDField(source="listing_id", read_only=True)
    listing_title = serializers.CharField(source="listing.title", read_only=True)
    nights = serializers.IntegerField(read_only=True)
    refund_amount = money_field(allow_null=True)
    refunds = serializers.SerializerMethodField(help_text="Money given back, oldest first.")

    class Meta:
        model = Booking
        fields = [
            "id",
            "listing",
            "listing_title",
            "check_in",
            "check_out",
            "guests",
            "status",
            "nights",
            "nightly_subtotal",
            "discount",
            "cleaning_fee",
            "service_fee",
            "taxes",
            "total",
            "currency",
            "cancellation_policy",
            "created_at",
            "refund_amount",
            "refunds",
        ]
        read_only_fields = fields

    @extend_schema_field(RefundOut(many=True))
    def get_refunds(self, booking) -> list:
        return [refund_public_dict(refund) for refund in refunds_of_booking(booking)]


class BookingListQuery(serializers.Serializer):
    role = serializers.ChoiceField(
        choices=["guest", "host"],
        required=False,
        help_text="guest (default): your stays; host: bookings of your listings.",
    )


class ReasonInput(serializers.Serializer):
    # Its length is the core's rule (too_long), refused alike through GraphQL.
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class RefundPreview(serializers.Serializer):
    refund_amount = money_field()
    currency = serializers.CharField()
    policy = serializers.CharField()
