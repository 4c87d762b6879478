"""The GraphQL schema: each domain contributes its queries and mutations, stitched here."""

import graphene

from .accounts.mutations import AccountMutations
from .accounts.queries import AccountQueries
from .bookings.mutations import BookingMutations
from .bookings.queries import BookingQueries
from .listings.mutations import ListingMutations
from .listings.queries import ListingQueries
from .reviews.mutations import ReviewMutations


class Query(AccountQueries, ListingQueries, BookingQueries, graphene.ObjectType):
    pass


class Mutation(
    AccountMutations, ListingMutations, BookingMutations, ReviewMutations, graphene.ObjectType
):
    pass


schema = graphene.Schema(query=Query, mutation=Mutation)
