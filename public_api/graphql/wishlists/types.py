import graphene

from wishlists.selectors import wishlist_listings

from ..listings.types import ListingConnection
from ..loaders import batch_listings
from ..pagination import CountableConnection, paginate


class Wishlist(graphene.ObjectType):
    """A named list of listings you saved. Private: only you see it."""

    id = graphene.UUID(required=True)
    name = graphene.String(required=True)
    listing_count = graphene.Int(required=True)
    created_at = graphene.DateTime(required=True)
    listings = graphene.Field(
        ListingConnection,
        required=True,
        first=graphene.Int(),
        after=graphene.String(),
        description="Most recently saved first.",
    )

    def resolve_listings(wishlist, info, first=None, after=None):
        connection, page = paginate(
            ListingConnection, wishlist_listings(wishlist), first=first, after=after
        )
        batch_listings(page)
        return connection


class WishlistConnection(CountableConnection):
    class Meta:
        node = Wishlist
