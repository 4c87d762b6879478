"""Review reads shared by the APIs."""

from collections.abc import Iterable
from uuid import UUID

from django.db.models import F, Q, QuerySet, Window
from django.db.models.functions import RowNumber

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
    cost a query per listing. Returns {listing_id: [Review, ...]}."""
    ranked = (
        Review.objects.filter(listing_id__in=list(listing_ids), status=Review.Status.PUBLISHED)
        .select_related("author")
        .annotate(
            position=Window(
                RowNumber(),
                partition_by=[F("listing_id")],
                order_by=[F("created_at").desc(), F("id").asc()],
            )
        )
        .filter(position__gt=offset, position__lte=offset + limit)
        .order_by("listing_id", "position")
    )
    pages: dict = {listing_id: [] for listing_id in listing_ids}
    for review in ranked:
        pages.setdefault(review.listing_id, []).append(review)
    return pages


def review_list_visible_to(user: User) -> QuerySet:
    """Reviews a signed-in user may see: published ones, their own, and those of their listings."""
    return Review.objects.select_related("listing").filter(
        Q(status=Review.Status.PUBLISHED) | Q(author=user) | Q(listing__host=user)
    )
