import graphene

from ..scalars import Money


class AvailabilityDay(graphene.ObjectType):
    """One night of a listing's calendar: bookable or not, and its price."""

    date = graphene.Date(required=True)
    available = graphene.Boolean(required=True)
    price = Money(required=True)


class Block(graphene.ObjectType):
    """Nights the host closed (owner stay, maintenance). Only the listing's host sees these."""

    id = graphene.UUID(required=True)
    start = graphene.Date(required=True)
    end = graphene.Date(required=True, description="The first night that is open again.")
    note = graphene.String(required=True)
