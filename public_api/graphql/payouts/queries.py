import graphene

from common.errors import NotFound
from payouts.selectors import payout_list_for_host

from ..context import require_user
from ..errors import refusals_as_errors
from ..pagination import paginate
from .types import Payout, PayoutConnection


class PayoutQueries(graphene.ObjectType):
    my_payouts = graphene.Field(PayoutConnection, first=graphene.Int(), after=graphene.String())
    payout = graphene.Field(Payout, id=graphene.UUID(required=True))

    @refusals_as_errors
    def resolve_my_payouts(root, info, first=None, after=None):
        user = require_user(info)
        connection, _page = paginate(
            PayoutConnection, payout_list_for_host(user), first=first, after=after
        )
        return connection

    @refusals_as_errors
    def resolve_payout(root, info, id):
        payout = payout_list_for_host(require_user(info)).filter(pk=id).first()
        if payout is None:  # another host's is the same as none
            raise NotFound()
        return payout
