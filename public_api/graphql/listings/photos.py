"""Photo management: upload (multipart, the GraphQL multipart request spec; REST's
POST /api/v1/listings/{id}/photos/), caption, order, delete. Every rule is the core's."""

import graphene

from common.errors import NotFound
from listings.models import ListingPhoto
from listings.photos import listing_photo_add, listing_photo_delete, listing_photo_update

from ..context import require_user
from ..mutations import DomainMutation
from ..uploads import Upload
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


class AddListingPhotoInput(graphene.InputObjectType):
    listing_id = graphene.UUID(required=True)
    image = Upload(
        required=True,
        description="JPEG, PNG or WebP, at most 10 MB and 40 megapixels; metadata is removed. "
        "A multipart file part (GraphQL multipart request spec).",
    )
    caption = graphene.String(description="At most 200 characters.")


class AddListingPhoto(DomainMutation):
    """Add a photo at the end of the gallery; its renditions follow from a background task."""

    class Arguments:
        input = AddListingPhotoInput(required=True)

    photo = graphene.Field(Photo)
    field_renames = RENAMES

    @classmethod
    def perform(cls, info, *, listing_id, image, caption=None):
        user = require_user(info)
        listing = visible_listing(user, listing_id)
        photo = listing_photo_add(listing=listing, actor=user, image=image, caption=caption or "")
        return {"photo": photo}


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
    add_listing_photo = AddListingPhoto.Field()
    update_listing_photo = UpdateListingPhoto.Field()
    delete_listing_photo = DeleteListingPhoto.Field()
