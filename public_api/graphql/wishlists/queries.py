import graphene

from common.errors import NotFound
from wishlists.selectors import wishlist_list_for, wishlist_visible_to

from ..context import require_user
from ..errors import refusals_as_errors
from ..pagination import paginate
from .types import Wishlist, WishlistConnection


def visible_wishlist(user, wishlist_id):
    """Only its owner sees a wishlist; for anyone else it is not_found."""
    wishlist = wishlist_visible_to(user).filter(pk=wishlist_id).first()
    if wishlist is None:
        raise NotFound()
    return wishlist


class WishlistQueries(graphene.ObjectType):
    my_wishlists = graphene.Field(WishlistConnection, first=graphene.Int(), after=graphene.String())
    wishlist = graphene.Field(Wishlist, id=graphene.UUID(required=True))

    @refusals_as_errors
    def resolve_my_wishlists(root, info, first=None, after=None):
        user = require_user(info)
        connection, _page = paginate(
            WishlistConnection, wishlist_list_for(user), first=first, after=after
        )
        return connection

    @refusals_as_errors
    def resolve_wishlist(root, info, id):
        return visible_wishlist(require_user(info), id)
