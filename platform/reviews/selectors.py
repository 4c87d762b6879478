"""Review reads shared by the APIs."""

from collections.abc import Iterable
from uuid import UUID

from django.db import router
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from accounts.models import User
from common.cache import cached_read, digest
from listings.cache import cache_seconds, search_token
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


_AUTHOR_FIELDS = ("id", "first_name")  # all the APIs show of a review's author


def review_pages_for_listings_cached(
    listing_ids: Iterable[UUID], *, offset: int, limit: int, token: str | None = None
) -> dict:
    """`review_pages_for_listings`, from the read cache: a page of listings is read again and
    again (it comes from the search cache), and so are its first reviews.

    Keyed on the search generation, which every review write bumps (listings.cache.RELATED),
    so the entry lives and dies with the cached search pages it goes with; like them it holds
    plain values (the reviews' columns and their authors' first names), no model instance to
    unpickle. The authors are partial users (id and first name: what the APIs show).

    `token`: the search generation the listings were read under (`CachedSearch.token`), so a
    page read from the search cache does not read the generation a second time (a Redis round
    trip). Their reviews are then those of the same generation, as the page itself."""
    listing_ids = list(listing_ids)
    window = digest([[str(pk) for pk in listing_ids], offset, limit])
    key = f"reviews:{token or search_token()}:{window}"

    def build() -> dict:
        pages = review_pages_for_listings(listing_ids, offset=offset, limit=limit)
        return {
            listing_id: [_review_values(review) for review in reviews]
            for listing_id, reviews in pages.items()
        }

    stored = cached_read(key, build, cache_seconds("search"))
    return {listing_id: _reviews_from_values(rows) for listing_id, rows in stored.items()}


def _review_values(review: Review) -> tuple:
    return (
        tuple(getattr(review, f.attname) for f in Review._meta.concrete_fields),
        review.author.first_name,
    )


def _reviews_from_values(rows: list[tuple]) -> list[Review]:
    db = router.db_for_read(Review)
    fields = [f.attname for f in Review._meta.concrete_fields]
    reviews = []
    for values, first_name in rows:
        review = Review.from_db(db, fields, values)
        author = User.from_db(db, _AUTHOR_FIELDS, (review.author_id, first_name))
        Review.author.field.set_cached_value(review, author)
        reviews.append(review)
    return reviews


def review_list_visible_to(user: User) -> QuerySet:
    """Reviews a signed-in user may see: published ones, their own, and those of their listings."""
    return Review.objects.select_related("listing").filter(
        Q(status=Review.Status.PUBLISHED) | Q(author=user) | Q(listing__host=user)
    )
