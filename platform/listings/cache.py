"""What the read cache of listings depends on, and what invalidates it.

Two kinds of token (common.cache): one per listing (its detail, calendar and
availability) and one search generation (every search result). Any write to a listing, its
photos or amenities, its calendar (overrides, host blocks, stays), its bookings or reviews
bumps both, at once and again on commit: the next read anywhere sees the new state.
Signals are the plumbing here (every save and delete passes through them); bulk writes that
bypass them (imports) call `listings_changed` themselves.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db.models.signals import m2m_changed, post_delete, post_save

from common.cache import cache_bump, cache_token

SEARCH = "search"


def listing_token(listing_id) -> str:
    return cache_token(listing_token_name(listing_id))


def listing_token_name(listing_id) -> str:
    """For `cached_read(..., tokens=[...])`, which reads the token with the entry."""
    return f"listing:{listing_id}"


def search_token() -> str:
    return cache_token(SEARCH)


def listings_changed(listing_ids: Iterable) -> None:
    cache_bump(SEARCH, *(listing_token_name(pk) for pk in set(listing_ids) if pk is not None))


def search_changed() -> None:
    """Only search results are stale (listings were added: nothing read them yet)."""
    cache_bump(SEARCH)


def cache_seconds(kind: str) -> int:
    return settings.READ_CACHE_SECONDS.get(kind, 60)


# Models whose rows belong to one listing (proxies such as calendars.HostBlock included: the
# check is on the concrete model, so a save through a proxy invalidates too).
RELATED = {
    "listings.listingphoto",
    "calendars.calendarday",
    "calendars.occupancy",
    "bookings.booking",
    "reviews.review",
}


def _row_changed(sender, instance, **kwargs):
    label = instance._meta.concrete_model._meta.label_lower
    if label == "listings.listing":
        listings_changed([instance.pk])
    elif label in RELATED:
        listings_changed([getattr(instance, "listing_id", None)])


def _amenities_changed(sender, instance, action, pk_set=None, reverse=False, **kwargs):
    if not action.startswith("post_"):
        return
    listings_changed((pk_set or ()) if reverse else [instance.pk])


def connect_invalidation() -> None:
    from .models import Listing

    for signal in (post_save, post_delete):
        signal.connect(_row_changed, weak=False, dispatch_uid=f"read-cache-{id(signal)}")
    m2m_changed.connect(
        _amenities_changed,
        sender=Listing.amenities.through,
        weak=False,
        dispatch_uid="read-cache-amenities",
    )
