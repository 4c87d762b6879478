"""Photo management (caption, order, delete). Uploads are multipart: REST's
POST /api/v1/listings/{id}/photos/."""

import graphene

from common.errors import NotFound
from listings.models import ListingPhoto
from listings.photos import listing_photo_delete, listing_photo_update

from ..context import require_user
from ..mutations import DomainMutation
from .queries import visible_listing
from .types import Photo

RENAMES = {"listing": "listingId", "photo": "photoId"}


def visible_photo(user, listing_id, photo_id):
    listing = visible_listing(user, listing_id)
    photo = ListingPhoto.objects.select_related("listing").filter(listing=listing, pk=photo_id)
    photo = photo.first()
    if photo is None:
        raise NotFound()
    return photo


class UpdateListingPhotoInput(graphene.InputObjectType):
    listing_id = graphene.UUID(required=True)
    photo_id = graphene.UUID(required=True)
    caption = graphene.String(description="At most 200 characters.")
    position = graphene.Int(description="Move the photo here; 0 is the first.")


class UpdateListingPhoto(DomainMutation):
    class Arguments:
        input = UpdateListingPhotoInput(required=True)

    photo = graphene.Field(Photo)
    field_renames = RENAMES

    @classmethod
    def perform(cls, info, *, listing_id, photo_id, caption=None, position=None):
        user = require_user(info)
        photo = visible_photo(user, listing_id, photo_id)
        photo = listing_photo_update(photo=photo, actor=user, caption=caption, position=position)
        return {"photo": photo}


class DeleteListingPhotoInput(graphene.InputObjectType):
    listing_id = graphene.UUID(required=True)
    photo_id = graphene.UUID(required=True)


class DeleteListingPhoto(DomainMutation):
    class Arguments:
        input = DeleteListingPhotoInput(required=True)

    deleted = graphene.Boolean()
    field_renames = RENAMES

    @classmethod
    def perform(cls, info, *, listing_id, photo_id):
        user = require_user(info)
        listing_photo_delete(photo=visible_photo(user, listing_id, photo_id), actor=user)
        return {"deleted": True}


class PhotoMutations(graphene.ObjectType):
    update_listing_photo = UpdateListingPhoto.Field()
    delete_listing_photo = DeleteListingPhoto.Field()
