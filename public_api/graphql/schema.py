"""The GraphQL schema: each domain contributes its queries and mutations, stitched here."""

import graphene

from .accounts.mutations import AccountMutations
from .accounts.queries import AccountQueries
from .bookings.mutations import BookingMutations
from .bookings.queries import BookingQueries
from .calendars.mutations import CalendarMutations
from .calendars.queries import CalendarQueries
from .listings.mutations import ListingMutations
from .listings.queries import ListingQueries
from .reviews.mutations import ReviewMutations


class Query(AccountQueries, ListingQueries, CalendarQueries, BookingQueries, graphene.ObjectType):
    pass


class Mutation(
    AccountMutations,
    ListingMutations,
    CalendarMutations,
    BookingMutations,
    ReviewMutations,
    graphene.ObjectType,
):
    pass


schema = graphene.Schema(query=Query, mutation=Mutation)
