"""The GraphQL schema: each domain contributes its queries and mutations, stitched here."""

import graphene

from .accounts.mutations import AccountMutations
from .accounts.queries import AccountQueries
from .bookings.mutations import BookingMutations
from .bookings.queries import BookingQueries
from .calendars.channels import ChannelMutations, ChannelQueries
from .calendars.mutations import CalendarMutations
from .calendars.queries import CalendarQueries
from .listings.mutations import ListingMutations
from .listings.photos import PhotoMutations
from .listings.queries import ListingQueries
from .messaging.mutations import MessagingMutations
from .messaging.queries import MessagingQueries
from .payments.mutations import PaymentMutations
from .payments.queries import PaymentQueries
from .payouts.queries import PayoutQueries
from .reviews.mutations import ReviewMutations
from .wishlists.mutations import WishlistMutations
from .wishlists.queries import WishlistQueries


class Query(
    AccountQueries,
    ListingQueries,
    CalendarQueries,
    BookingQueries,
    MessagingQueries,
    WishlistQueries,
    PaymentQueries,
    PayoutQueries,
    ChannelQueries,
    graphene.ObjectType,
):
    pass


class Mutation(
    AccountMutations,
    ListingMutations,
    CalendarMutations,
    BookingMutations,
    ReviewMutations,
    MessagingMutations,
    WishlistMutations,
    PhotoMutations,
    PaymentMutations,
    ChannelMutations,
    graphene.ObjectType,
):
    pass


schema = graphene.Schema(query=Query, mutation=Mutation)
