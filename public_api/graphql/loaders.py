"""Batched loading of what a page of listings nests, so the number of queries does not grow
with the page size.

Host, amenities and photos come with the listings themselves (select_related/prefetch in the
core's selectors). Reviews are per listing and paginated, so the page's listings share one
`ListingBatch`: the first listing asking for `reviews(first, after)` loads that window for
every listing of the page in one query (a window function), or one read of the cache where
that window of the same listings is kept with the search results; the others read the batch.
"""

from __future__ import annotations

from messaging.selectors import message_pages_for_conversations
from payments.selectors import refunds_by_booking
from reviews.selectors import review_pages_for_listings_cached
from wishlists.selectors import saved_listing_ids


def _attach_batch(objects, batch_class, **options) -> None:
    """Give every object of one page the same `batch_class` over all their ids, so the first
    one asking for a nested list loads it for the whole page."""
    objects = list(objects)
    batch = batch_class((obj.pk for obj in objects), **options)
    for obj in objects:
        setattr(obj, f"_graphql_{batch_class.__name__}", batch)


def _batch_of(obj, batch_class):
    """The batch `obj` was given with its page, or (resolved on its own) a batch of one."""
    attribute = f"_graphql_{batch_class.__name__}"
    batch = getattr(obj, attribute, None)
    if batch is None:
        batch = batch_class([obj.pk])
        setattr(obj, attribute, batch)
    return batch


class ListingBatch:
    def __init__(self, listing_ids, *, search_token: str | None = None):
        self.listing_ids = list(dict.fromkeys(listing_ids))
        self.search_token = search_token  # the generation the page was read under, if cached
        self._review_pages: dict[tuple[int, int], dict] = {}
        self._saved: dict[object, set] = {}

    def reviews(self, listing_id, *, offset: int, limit: int) -> list:
        key = (offset, limit)
        if key not in self._review_pages:
            self._review_pages[key] = review_pages_for_listings_cached(
                self.listing_ids, offset=offset, limit=limit, token=self.search_token
            )
        return self._review_pages[key].get(listing_id, [])

    def saved(self, listing_id, user) -> bool:
        """In one of `user`'s wishlists: one query for the whole page."""
        key = getattr(user, "pk", None)
        if key not in self._saved:
            self._saved[key] = saved_listing_ids(user, self.listing_ids)
        return listing_id in self._saved[key]


def batch_listings(listings, *, search_token: str | None = None) -> None:
    """Let the listings of one page load their nested reviews together. `search_token`: the
    search generation the page was read under (from the search cache), which their cached
    reviews are then read under too, without reading it again."""
    _attach_batch(listings, ListingBatch, search_token=search_token)


def listing_batch(listing) -> ListingBatch:
    return _batch_of(listing, ListingBatch)


class BookingBatch:
    """The refunds of a page of bookings, loaded together the first time one asks."""

    def __init__(self, booking_ids):
        self.booking_ids = list(dict.fromkeys(booking_ids))
        self._refunds: dict | None = None

    def refunds(self, booking_id) -> list:
        if self._refunds is None:
            self._refunds = refunds_by_booking(self.booking_ids)
        return self._refunds.get(booking_id, [])


def batch_bookings(bookings) -> None:
    _attach_batch(bookings, BookingBatch)


def booking_refunds(booking) -> list:
    return _batch_of(booking, BookingBatch).refunds(booking.pk)


class ConversationBatch:
    """The message pages of a page of conversations: the first conversation asking for
    `messages(first, after)` loads that window for all of them in one query."""

    def __init__(self, conversation_ids):
        self.conversation_ids = list(dict.fromkeys(conversation_ids))
        self._pages: dict[tuple[int, int], dict] = {}

    def messages(self, conversation_id, *, offset: int, limit: int) -> list:
        key = (offset, limit)
        if key not in self._pages:
            self._pages[key] = message_pages_for_conversations(
                self.conversation_ids, offset=offset, limit=limit
            )
        return self._pages[key].get(conversation_id, [])


def batch_conversations(conversations) -> None:
    _attach_batch(conversations, ConversationBatch)


def conversation_batch(conversation) -> ConversationBatch:
    return _batch_of(conversation, ConversationBatch)
