from rest_framework import serializers


class PayoutLineOut(serializers.Serializer):
    booking = serializers.UUIDField(source="booking_id")
    listing = serializers.CharField(source="booking.listing.title")
    check_in = serializers.DateField(source="booking.check_in")
    check_out = serializers.DateField(source="booking.check_out")
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)


class PayoutOut(serializers.Serializer):
    id = serializers.UUIDField()
    currency = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    netted = serializers.DecimalField(
        max_digits=12, decimal_places=2,
        help_text="Held back from the lines' total: what you owed after a refund of a stay "
        "already paid out. amount = sum of the lines - netted.",
    )  # fmt: skip
    status = serializers.CharField()
    failure_reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    approved_at = serializers.DateTimeField(allow_null=True)
    paid_at = serializers.DateTimeField(allow_null=True)
    lines = PayoutLineOut(many=True)
