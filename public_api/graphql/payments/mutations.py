import graphene

from payments.errors import charge_refusal_code
from payments.models import Payment as PaymentModel
from public_api.common.payments import booking_pay_idempotent

from ..bookings.queries import visible_booking
from ..context import require_user
from ..errors import Error
from ..mutations import DomainMutation
from .types import Payment


class PayBookingInput(graphene.InputObjectType):
    booking_id = graphene.UUID(required=True)
    payment_method = graphene.String(
        required=True, description="A payment method id, e.g. pm_card_visa (Stripe test ids)."
    )
    idempotency_key = graphene.String(
        description="Shared with REST's Idempotency-Key: a retry returns the first payment."
    )


class PayBooking(DomainMutation):
    """Pay a booking's total. A refused card is `errors: [{code: "card_declined", ...}]` with
    the failed `payment`; the booking stays payable. Only the booking's guest may pay it."""

    class Arguments:
        input = PayBookingInput(required=True)

    payment = graphene.Field(Payment)
    replayed = graphene.Boolean()
    field_renames = {"payment_method": "paymentMethod", "idempotency_key": "idempotencyKey"}

    @classmethod
    def mutate(cls, root, info, input):
        payload = super().mutate(root, info, input)
        payment = getattr(payload, "payment", None)
        if payment is not None and payment.status == PaymentModel.Status.FAILED:
            # The refusal is an error like any other, and the payment shows what was tried.
            payload.errors = [
                Error(
                    field="paymentMethod",
                    code=str(charge_refusal_code(payment.failure_code)),
                    message=payment.failure_message,
                )
            ]
        return payload

    @classmethod
    def perform(cls, info, *, booking_id, payment_method, idempotency_key=None):
        user = require_user(info)
        booking = visible_booking(user, booking_id)
        _status, body, replayed = booking_pay_idempotent(
            guest=user, booking=booking, payment_method=payment_method, key=idempotency_key
        )
        payment = PaymentModel.objects.select_related("booking").get(pk=body["id"])
        return {"payment": payment, "replayed": replayed}


class PaymentMutations(graphene.ObjectType):
    pay_booking = PayBooking.Field()
