"""review_pages_for_listings: each listing's window of published reviews, in one query."""

import datetime as dt

import pytest

from reviews.models import Review
from reviews.selectors import review_pages_for_listings, review_pages_for_listings_cached
from tests.factories import ListingFactory, ReviewFactory, UserFactory, make_completed_stay

pytestmark = pytest.mark.django_db


def reviews_of(listing, count, *, status=Review.Status.PUBLISHED, start=0):
    made = [
        ReviewFactory(
            booking=make_completed_stay(
                listing=listing, guest=UserFactory(), ended_days_ago=2 + 4 * (start + i)
            ),
            status=status,
        )
        for i in range(count)
    ]
    return made


def test_windows_per_listing_newest_first_ties_by_id_published_only(
    django_assert_num_queries,
):
    first, second, quiet = ListingFactory(), ListingFactory(), ListingFactory()
    a = reviews_of(first, 4)
    b = reviews_of(second, 2)
    reviews_of(first, 1, status=Review.Status.PENDING, start=4)
    now = dt.datetime.now(dt.UTC)
    ages = (3, 1, 2, 1)  # days; two of first's reviews tie: the smaller id comes first
    for age, review in zip(ages, a, strict=True):
        Review.objects.filter(pk=review.pk).update(created_at=now - dt.timedelta(days=age))
    newest_first = [
        r.pk for _, r in sorted(zip(ages, a, strict=True), key=lambda x: (x[0], str(x[1].pk)))
    ]

    with django_assert_num_queries(1):
        pages = review_pages_for_listings([first.pk, second.pk, quiet.pk], offset=1, limit=2)
        authors = [r.author.first_name for page in pages.values() for r in page]

    assert [r.pk for r in pages[first.pk]] == newest_first[1:3]
    assert [r.pk for r in pages[second.pk]] == [
        r.pk for r in sorted(b, key=lambda r: r.created_at, reverse=True)
    ][1:2]
    assert pages[quiet.pk] == []
    assert len(authors) == 3  # authors joined, no query each


def test_no_listings_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert review_pages_for_listings([], offset=0, limit=5) == {}


def test_cached_windows_match_the_query_and_a_second_read_costs_none(
    django_assert_num_queries,
):
    first, quiet = ListingFactory(), ListingFactory()
    reviews_of(first, 3)
    ids = [first.pk, quiet.pk]
    fresh = review_pages_for_listings(ids, offset=0, limit=2)

    review_pages_for_listings_cached(ids, offset=0, limit=2)  # stored
    with django_assert_num_queries(0):
        cached = review_pages_for_listings_cached(ids, offset=0, limit=2)
        authors = {r.pk: r.author.first_name for page in cached.values() for r in page}

    def shown(pages):  # every column and what the APIs show of the author
        return {
            pk: [
                ({f.attname: getattr(r, f.attname) for f in Review._meta.concrete_fields})
                for r in page
            ]
            for pk, page in pages.items()
        }

    assert shown(cached) == shown(fresh)
    assert authors == {r.pk: r.author.first_name for r in fresh[first.pk]}
    assert cached[quiet.pk] == []


def test_a_review_write_reaches_the_cached_windows():
    listing = ListingFactory()
    ids = [listing.pk]
    assert review_pages_for_listings_cached(ids, offset=0, limit=5) == {listing.pk: []}
    (review,) = reviews_of(listing, 1)
    assert [r.pk for r in review_pages_for_listings_cached(ids, offset=0, limit=5)[listing.pk]] == [
        review.pk
    ]
    review.status = Review.Status.REJECTED
    review.save()
    assert review_pages_for_listings_cached(ids, offset=0, limit=5) == {listing.pk: []}
