"""Wishlist writes. Every one checks the owner: someone else's wishlist does not exist."""

from uuid import UUID

from django.db import IntegrityError, transaction

from accounts.models import User
from common.actor import attributed_to
from common.errors import DomainError, NotFound, ValidationFailed
from listings.models import Listing

from .models import NAME_MAX_LENGTH, Wishlist, WishlistItem

MAX_WISHLISTS = 100
MAX_ITEMS = 500


def _clean_name(name: str) -> str:
    name = (name or "").strip() if isinstance(name, str) else ""
    if not name:
        raise ValidationFailed("name_required", "Give the wishlist a name.", field="name")
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationFailed(
            "name_too_long", f"A name may have at most {NAME_MAX_LENGTH} characters.", "name"
        )
    if "\x00" in name:
        raise ValidationFailed("invalid_text", "Text may not contain NUL characters.", "name")
    return name


def _name_taken() -> DomainError:
    return DomainError("wishlist_name_taken", "You already have a wishlist with this name.", "name")


def _ensure_owner(wishlist: Wishlist, actor: User) -> None:
    if wishlist.user_id != getattr(actor, "pk", None):
        raise NotFound()


@attributed_to("actor")
@transaction.atomic
def wishlist_create(*, actor: User, name: str) -> Wishlist:
    name = _clean_name(name)
    if Wishlist.objects.filter(user=actor).count() >= MAX_WISHLISTS:
        raise DomainError("too_many_wishlists", f"Keep at most {MAX_WISHLISTS} wishlists.")
    try:
        with transaction.atomic():
            return Wishlist.objects.create(user=actor, name=name)
    except IntegrityError:
        raise _name_taken() from None


@attributed_to("actor")
@transaction.atomic
def wishlist_rename(*, wishlist: Wishlist, actor: User, name: str) -> Wishlist:
    _ensure_owner(wishlist, actor)
    wishlist.name = _clean_name(name)
    try:
        with transaction.atomic():
            wishlist.save(update_fields=["name", "updated_at"])
    except IntegrityError:
        raise _name_taken() from None
    return wishlist


@attributed_to("actor")
@transaction.atomic
def wishlist_delete(*, wishlist: Wishlist, actor: User) -> None:
    _ensure_owner(wishlist, actor)
    wishlist.delete()


@attributed_to("actor")
@transaction.atomic
def wishlist_add(*, wishlist: Wishlist, listing: Listing, actor: User) -> bool:
    """Save `listing` (published, or the actor's own). True if added, False if already there."""
    _ensure_owner(wishlist, actor)
    if listing.status != Listing.Status.PUBLISHED and listing.host_id != actor.pk:
        raise NotFound()
    if WishlistItem.objects.filter(wishlist=wishlist, listing=listing).exists():
        return False
    if WishlistItem.objects.filter(wishlist=wishlist).count() >= MAX_ITEMS:
        raise DomainError("wishlist_full", f"A wishlist holds at most {MAX_ITEMS} listings.")
    try:
        with transaction.atomic():
            WishlistItem.objects.create(wishlist=wishlist, listing=listing)
    except IntegrityError:  # saved twice at once: it is saved, which is what was asked
        return False
    return True


@attributed_to("actor")
@transaction.atomic
def wishlist_remove(*, wishlist: Wishlist, listing_id: UUID | str, actor: User) -> bool:
    """Unsave; True if it was there. Removing what is not there is not an error."""
    _ensure_owner(wishlist, actor)
    deleted, _ = WishlistItem.objects.filter(wishlist=wishlist, listing_id=listing_id).delete()
    return deleted > 0
