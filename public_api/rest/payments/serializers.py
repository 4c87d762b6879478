"""Shapes of the payment endpoints (the bodies come from public_api.common.payments)."""

from rest_framework import serializers

from payments.models import PaymentStatus, RefundKind, RefundStatus
from public_api.rest.fields import money_field


class PayInput(serializers.Serializer):
    payment_method = serializers.CharField(
        max_length=255,
        help_text="A payment method id, e.g. Stripe's test ids pm_card_visa or "
        "pm_card_chargeDeclined.",
    )


class RefundOut(serializers.Serializer):
    id = serializers.UUIDField()
    amount = money_field()
    status = serializers.ChoiceField(choices=RefundStatus.choices)
    kind = serializers.ChoiceField(choices=RefundKind.choices)
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class PaymentOut(serializers.Serializer):
    id = serializers.UUIDField()
    booking = serializers.UUIDField()
    amount = money_field()
    currency = serializers.CharField()
    status = serializers.ChoiceField(choices=PaymentStatus.choices)
    failure_code = serializers.CharField(help_text="Empty unless failed, e.g. card_declined.")
    failure_message = serializers.CharField()
    payment_method = serializers.CharField(
        required=False, help_text="Shown to the paying guest only, never to the host."
    )
    created_at = serializers.DateTimeField()
    refunds = RefundOut(many=True)


class PaymentRefused(PaymentOut):
    code = serializers.CharField(help_text="Why the provider refused: card_declined, ...")
    detail = serializers.CharField()


class WebhookAck(serializers.Serializer):
    received = serializers.BooleanField()
    event_id = serializers.CharField()
