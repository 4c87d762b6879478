import graphene

from common.errors import NotFound
from payments.selectors import payment_visible_to

from ..context import require_user
from ..errors import refusals_as_errors
from ..pagination import paginate
from .types import Payment, PaymentConnection


class PaymentQueries(graphene.ObjectType):
    payments = graphene.Field(
        PaymentConnection,
        first=graphene.Int(),
        after=graphene.String(),
        description="Your payments and your listings' bookings' payments, newest first.",
    )
    payment = graphene.Field(Payment, id=graphene.UUID(required=True))

    @refusals_as_errors
    def resolve_payments(root, info, first=None, after=None):
        user = require_user(info)
        connection, _page = paginate(
            PaymentConnection, payment_visible_to(user), first=first, after=after
        )
        return connection

    @refusals_as_errors
    def resolve_payment(root, info, id):
        payment = payment_visible_to(require_user(info)).filter(pk=id).first()
        if payment is None:
            raise NotFound()
        return payment
