"""Review reads shared by the APIs."""

from collections.abc import Iterable
from uuid import UUID

from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from accounts.models import User
from listings.models import Listing

from .models import Review


def review_list_published(*, listing: Listing) -> QuerySet:
    """A listing's published reviews, newest first, with the author joined."""
    return (
        Review.objects.filter(listing=listing, status=Review.Status.PUBLISHED)
        .select_related("author")
        .order_by("-created_at", "id")
    )


def review_pages_for_listings(listing_ids: Iterable[UUID], *, offset: int, limit: int) -> dict:
    """For each listing, its published reviews number offset+1 .. offset+limit (newest first),
    in ONE query (a window function), so a page of listings with their first reviews does not
    cost a query per listing. Returns {listing_id: [Review, ...]}.

    The window is written as SQL (the positions' subquery): Django's own filter on a window
    expression compiles the query twice over (~2 ms a call, more than PostgreSQL takes)."""
    listing_ids = list(listing_ids)
    pages: dict = {listing_id: [] for listing_id in listing_ids}
    if not listing_ids:
        return pages
    table = Review._meta.db_table
    positions = RawSQL(
        f"SELECT ranked.id FROM (SELECT id, row_number() OVER ("  # noqa: S608 - names only
        f"PARTITION BY listing_id ORDER BY created_at DESC, id ASC) AS position "
        f"FROM {table} WHERE status = %s AND listing_id = ANY(%s)) ranked "
        f"WHERE ranked.position > %s AND ranked.position <= %s",
        (Review.Status.PUBLISHED.value, listing_ids, offset, offset + limit),
    )
    ranked = (
        Review.objects.filter(pk__in=positions)
        .select_related("author")
        .order_by("listing_id", "-created_at", "id")
    )
    for review in ranked:
        pages.setdefault(review.listing_id, []).append(review)
    return pages


def review_list_visible_to(user: User) -> QuerySet:
    """Reviews a signed-in user may see: published ones, their own, and those of their listings."""
    return Review.objects.select_related("listing").filter(
        Q(status=Review.Status.PUBLISHED) | Q(author=user) | Q(listing__host=user)
    )
