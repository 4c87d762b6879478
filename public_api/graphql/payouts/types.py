import graphene

from ..pagination import CountableConnection


class PayoutLine(graphene.ObjectType):
    """One booking in a payout and what it paid the host."""

    booking_id = graphene.UUID(required=True)
    listing_title = graphene.String(required=True)
    check_in = graphene.Date(required=True)
    check_out = graphene.Date(required=True)
    amount = graphene.Decimal(required=True)

    def resolve_listing_title(line, info):
        return line.booking.listing.title

    def resolve_check_in(line, info):
        return line.booking.check_in

    def resolve_check_out(line, info):
        return line.booking.check_out


class Payout(graphene.ObjectType):
    """Money paid (or to be paid) to you as a host, for one currency. Read-only."""

    id = graphene.UUID(required=True)
    currency = graphene.String(required=True)
    amount = graphene.Decimal(required=True)
    netted = graphene.Decimal(
        required=True,
        description="Held back from the lines' total: what you owed after a refund of a stay "
        "already paid out (amount = sum of the lines - netted).",
    )
    status = graphene.String(required=True, description="scheduled, approved, paid or failed")
    failure_reason = graphene.String(required=True)
    created_at = graphene.DateTime(required=True)
    approved_at = graphene.DateTime()
    paid_at = graphene.DateTime()
    lines = graphene.List(graphene.NonNull(PayoutLine), required=True)

    def resolve_lines(payout, info):
        return payout.lines.all()  # prefetched by the selector


class PayoutConnection(CountableConnection):
    class Meta:
        node = Payout
