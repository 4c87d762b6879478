import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.roles import MODERATORS
from bookings.models import Booking
from common.errors import DomainError, NotFound, NotPermitted, ValidationFailed
from reviews import services
from reviews.models import Review
from tests.factories import ListingFactory, UserFactory, make_booking, make_completed_stay

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator():
    user = UserFactory()
    user.groups.add(Group.objects.get_or_create(name=MODERATORS)[0])
    return user


def test_guest_reviews_a_completed_stay_once():
    stay = make_completed_stay(ended_days_ago=3)
    review = services.review_create(author=stay.guest, booking=stay, rating=4, comment="Nice",
                                    cleanliness=5)  # fmt: skip
    assert review.status == Review.Status.PENDING
    assert review.listing_id == stay.listing_id
    with pytest.raises(DomainError) as exc:
        services.review_create(author=stay.guest, booking=stay, rating=5)
    assert exc.value.code == "review_not_allowed"


@pytest.mark.parametrize(("days_after", "allowed"), [(0, True), (14, True), (15, False)])
def test_review_window_is_14_days_after_check_out(days_after, allowed):
    stay = make_completed_stay(ended_days_ago=1)
    today = stay.check_out + dt.timedelta(days=days_after)
    if allowed:
        assert services.review_create(author=stay.guest, booking=stay, rating=5, today=today)
    else:
        with pytest.raises(DomainError) as exc:
            services.review_create(author=stay.guest, booking=stay, rating=5, today=today)
        assert exc.value.code == "review_not_allowed"


def test_only_completed_stays_and_only_their_guest():
    upcoming = make_booking()
    with pytest.raises(DomainError) as exc:
        services.review_create(author=upcoming.guest, booking=upcoming, rating=5)
    assert exc.value.code == "review_not_allowed"
    stay = make_completed_stay()
    with pytest.raises(NotFound):
        services.review_create(author=UserFactory(), booking=stay, rating=5)


@pytest.mark.parametrize("bad", [0, 6, "5", 4.5, True, None])
def test_ratings_must_be_whole_numbers_1_to_5(bad):
    stay = make_completed_stay()
    with pytest.raises(ValidationFailed) as exc:
        services.review_create(author=stay.guest, booking=stay, rating=bad)
    assert exc.value.code == "rating_invalid"
    with pytest.raises(ValidationFailed):
        services.review_create(author=stay.guest, booking=stay, rating=5, value=bad or 9)


def test_comment_limit():
    stay = make_completed_stay()
    with pytest.raises(ValidationFailed) as exc:
        services.review_create(author=stay.guest, booking=stay, rating=5, comment="x" * 2001)
    assert exc.value.code == "comment_too_long"


def test_publishing_updates_the_listing_rating(moderator):
    listing = ListingFactory()
    first, second = (make_completed_stay(listing=listing, ended_days_ago=d) for d in (2, 6))
    r1 = services.review_create(author=first.guest, booking=first, rating=5)
    r2 = services.review_create(author=second.guest, booking=second, rating=2)
    listing.refresh_from_db()
    assert listing.review_count == 0 and listing.rating_average is None
    services.review_publish(review=r1, actor=moderator)
    services.review_publish(review=r2, actor=moderator)
    listing.refresh_from_db()
    assert (listing.review_count, listing.rating_average) == (2, Decimal("3.50"))
    services.review_reject(review=r2, actor=moderator, reason="Off-topic")
    listing.refresh_from_db()
    assert (listing.review_count, listing.rating_average) == (1, Decimal("5.00"))
    r2.refresh_from_db()
    assert r2.moderated_by == moderator and r2.rejection_reason == "Off-topic"


def test_moderation_needs_a_moderator_and_a_reason(moderator):
    stay = make_completed_stay()
    review = services.review_create(author=stay.guest, booking=stay, rating=3)
    with pytest.raises(NotPermitted):
        services.review_publish(review=review, actor=stay.listing.host)
    with pytest.raises(ValidationFailed) as exc:
        services.review_reject(review=review, actor=moderator, reason="  ")
    assert exc.value.code == "reason_required"


def test_host_responds_to_reviews_of_own_listing_only():
    stay = make_completed_stay()
    review = services.review_create(author=stay.guest, booking=stay, rating=4)
    with pytest.raises(NotFound):
        services.review_respond(review=review, actor=UserFactory(), text="Hi")
    review = services.review_respond(review=review, actor=stay.listing.host, text="Thanks!")
    assert review.response == "Thanks!" and review.responded_at <= timezone.now()


def test_completed_stay_factory_is_in_the_past():
    stay = make_completed_stay(ended_days_ago=2)
    assert stay.status == Booking.Status.COMPLETED
    assert stay.check_out == timezone.localdate() - dt.timedelta(days=2)
