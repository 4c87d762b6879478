import graphene

from common.errors import ValidationFailed
from listings.selectors import listing_visible_to
from wishlists.services import (
    wishlist_add,
    wishlist_create,
    wishlist_delete,
    wishlist_remove,
    wishlist_rename,
)

from ..context import require_user
from ..mutations import DomainMutation
from .queries import visible_wishlist
from .types import Wishlist

RENAMES = {"wishlist": "wishlistId", "listing": "listingId"}


class CreateWishlistInput(graphene.InputObjectType):
    name = graphene.String(required=True, description="At most 100 characters, unique to you.")


class CreateWishlist(DomainMutation):
    class Arguments:
        input = CreateWishlistInput(required=True)

    wishlist = graphene.Field(Wishlist)

    @classmethod
    def perform(cls, info, *, name):
        user = require_user(info)
        wishlist = wishlist_create(actor=user, name=name)
        return {"wishlist": visible_wishlist(user, wishlist.pk)}


class RenameWishlistInput(graphene.InputObjectType):
    wishlist_id = graphene.UUID(required=True)
    name = graphene.String(required=True)


class RenameWishlist(DomainMutation):
    class Arguments:
        input = RenameWishlistInput(required=True)

    wishlist = graphene.Field(Wishlist)
    field_renames = RENAMES

    @classmethod
    def perform(cls, info, *, wishlist_id, name):
        user = require_user(info)
        wishlist = visible_wishlist(user, wishlist_id)
        wishlist_rename(wishlist=wishlist, actor=user, name=name)
        return {"wishlist": visible_wishlist(user, wishlist.pk)}


class DeleteWishlistInput(graphene.InputObjectType):
    wishlist_id = graphene.UUID(required=True)


class DeleteWishlist(DomainMutation):
    class Arguments:
        input = DeleteWishlistInput(required=True)

    deleted = graphene.Boolean()
    field_renames = RENAMES

    @classmethod
    def perform(cls, info, *, wishlist_id):
        user = require_user(info)
        wishlist_delete(wishlist=visible_wishlist(user, wishlist_id), actor=user)
        return {"deleted": True}


class WishlistListingInput(graphene.InputObjectType):
    wishlist_id = graphene.UUID(required=True)
    listing_id = graphene.UUID(required=True)


class AddToWishlist(DomainMutation):
    """Save a listing; `added` is false when it was already saved."""

    class Arguments:
        input = WishlistListingInput(required=True)

    added = graphene.Boolean()
    wishlist = graphene.Field(Wishlist)
    field_renames = RENAMES

    @classmethod
    def perform(cls, info, *, wishlist_id, listing_id):
        user = require_user(info)
        wishlist = visible_wishlist(user, wishlist_id)
        listing = listing_visible_to(user).filter(pk=listing_id).first()
        if listing is None:
            raise ValidationFailed("listing_not_found", "No such listing.", field="listing")
        added = wishlist_add(wishlist=wishlist, listing=listing, actor=user)
        return {"added": added, "wishlist": visible_wishlist(user, wishlist.pk)}


class RemoveFromWishlist(DomainMutation):
    class Arguments:
        input = WishlistListingInput(required=True)

    removed = graphene.Boolean()
    wishlist = graphene.Field(Wishlist)
    field_renames = RENAMES

    @classmethod
    def perform(cls, info, *, wishlist_id, listing_id):
        user = require_user(info)
        wishlist = visible_wishlist(user, wishlist_id)
        removed = wishlist_remove(wishlist=wishlist, listing_id=listing_id, actor=user)
        return {"removed": removed, "wishlist": visible_wishlist(user, wishlist.pk)}


class WishlistMutations(graphene.ObjectType):
    create_wishlist = CreateWishlist.Field()
    rename_wishlist = RenameWishlist.Field()
    delete_wishlist = DeleteWishlist.Field()
    add_to_wishlist = AddToWishlist.Field()
    remove_from_wishlist = RemoveFromWishlist.Field()
