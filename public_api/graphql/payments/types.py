import graphene

from payments.models import PaymentStatus as CorePaymentStatus
from payments.models import RefundKind as CoreRefundKind
from payments.models import RefundStatus as CoreRefundStatus

from ..listings.types import choices_enum
from ..pagination import CountableConnection
from ..scalars import Money, choice_field

PaymentStatus = choices_enum(
    "PaymentStatus", CorePaymentStatus, "processing, then succeeded or failed."
)
RefundStatus = choices_enum("RefundStatus", CoreRefundStatus, "pending, then succeeded or failed.")
RefundKind = choices_enum(
    "RefundKind",
    CoreRefundKind,
    "Why: a cancellation, staff goodwill, or a booking that could"
    " no longer be confirmed when its charge succeeded.",
)


class Refund(graphene.ObjectType):
    id = graphene.UUID(required=True)
    amount = Money(required=True)
    status = choice_field(RefundStatus, "status", required=True)
    kind = choice_field(RefundKind, "kind", required=True)
    reason = graphene.String(required=True)
    created_at = graphene.DateTime(required=True)


class Payment(graphene.ObjectType):
    """A charge of a booking's total. The paying guest sees the payment method; the host
    sees the payment without card details."""

    id = graphene.UUID(required=True)
    booking_id = graphene.UUID(required=True)
    amount = Money(required=True)
    currency = graphene.String(required=True)
    status = choice_field(PaymentStatus, "status", required=True)
    failure_code = graphene.String(required=True, description="Empty unless failed.")
    failure_message = graphene.String(required=True)
    payment_method = graphene.String(description="Null unless you are the paying guest.")
    refunds = graphene.List(graphene.NonNull(Refund), required=True)
    created_at = graphene.DateTime(required=True)

    def resolve_payment_method(payment, info):
        user = getattr(info.context, "user", None)
        return payment.payment_method if payment.booking.guest_id == user.pk else None

    def resolve_refunds(payment, info):
        return list(payment.refunds.all())


class PaymentConnection(CountableConnection):
    class Meta:
        node = Payment
