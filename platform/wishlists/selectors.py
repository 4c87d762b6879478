"""Wishlist reads, and the `saved` flag on listings, in a fixed number of queries."""

from collections.abc import Iterable
from uuid import UUID

from django.db.models import BooleanField, Count, Exists, OuterRef, Q, QuerySet, Value

from accounts.models import User
from listings.models import Listing
from listings.selectors import listing_base_queryset

from .models import Wishlist, WishlistItem


def wishlist_list_for(user: User) -> QuerySet:
    """The user's own wishlists, by name, each with how many listings it holds."""
    if not user or not user.is_authenticated:
        return Wishlist.objects.none()
    return (
        Wishlist.objects.filter(user=user)
        .annotate(listing_count=_visible_count(user))
        .order_by("name", "id")
    )


def _visible_count(user: User) -> Count:
    return Count(
        "items",
        filter=Q(items__listing__status=Listing.Status.PUBLISHED) | Q(items__listing__host=user),
    )


def wishlist_visible_to(user: User) -> QuerySet:
    """Wishlists are private: only their owner sees one; for everyone else it does not exist."""
    return wishlist_list_for(user)


def wishlist_listings(wishlist: Wishlist) -> QuerySet:
    """The listings of a wishlist, most recently saved first, with a card's relations. A listing
    unpublished since it was saved is left out (it comes back if it is published again)."""
    return (
        listing_base_queryset()
        .filter(wishlist_items__wishlist=wishlist)
        .filter(Q(status=Listing.Status.PUBLISHED) | Q(host=wishlist.user_id))
        .annotate(is_saved=Value(True, output_field=BooleanField()))
        .order_by("-wishlist_items__created_at", "id")
    )


def with_saved_flag(queryset: QuerySet, user: User) -> QuerySet:
    """Annotate each listing with `is_saved`: in any of `user`'s wishlists. One EXISTS in the
    same query, so a page of results costs no extra query."""
    if not user or not user.is_authenticated:
        return queryset
    saved = WishlistItem.objects.filter(listing=OuterRef("pk"), wishlist__user=user)
    return queryset.annotate(is_saved=Exists(saved))


def saved_listing_ids(user: User, listing_ids: Iterable[UUID]) -> set:
    """Which of `listing_ids` `user` saved: one query for a batch of listings."""
    if not user or not user.is_authenticated:
        return set()
    return set(
        WishlistItem.objects.filter(wishlist__user=user, listing_id__in=list(listing_ids))
        .values_list("listing_id", flat=True)
        .distinct()
    )
