"""Reviews: who may write one, moderation, host responses, and the listing's rating aggregate."""

from datetime import date, timedelta
from uuid import UUID

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count
from django.utils import timezone

from accounts.models import User
from accounts.roles import is_moderator
from bookings.models import Booking, BookingStatus
from common.actor import attributed_to
from common.dates import today_in
from common.errors import DomainError, NotFound, NotPermitted, ValidationFailed
from common.text import max_length, text_within
from listings.models import Listing
from listings.permissions import can_manage_listing
from notifications.services import notification_create

from .models import CATEGORY_FIELDS, Review

REASON_MAX_LENGTH = max_length(Review, "rejection_reason")


def _not_allowed(message: str) -> DomainError:
    return DomainError("review_not_allowed", message, field="booking")


def _validate_rating(name: str, value: object) -> None:
    if value is None and name != "rating":
        return
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
        raise ValidationFailed("rating_invalid", "Ratings are whole numbers from 1 to 5.", name)


def review_eligibility_error(
    *, booking: Booking, author: User, today: date | None = None
) -> DomainError | None:
    """Why `author` may not review `booking` now, or None if they may."""
    if booking.guest_id != author.pk:
        return NotFound()
    if booking.status != BookingStatus.COMPLETED:
        return _not_allowed("Only a completed stay can be reviewed.")
    today = today or today_in(booking.listing.time_zone)
    if today > booking.check_out + timedelta(days=settings.REVIEW_WINDOW_DAYS):
        return _not_allowed(
            f"Reviews must be written within {settings.REVIEW_WINDOW_DAYS} days of check-out."
        )
    if Review.objects.filter(booking=booking).exists():
        return _not_allowed("This stay has already been reviewed.")
    return None


@attributed_to("author")
@transaction.atomic
def review_create(
    *,
    author: User,
    booking: Booking,
    rating: int,
    comment: str = "",
    today: date | None = None,
    **categories: int,
) -> Review:
    unknown = set(categories) - set(CATEGORY_FIELDS)
    if unknown:
        raise ValidationFailed("unknown_field", f"Unknown rating: {unknown.pop()}.")
    _validate_rating("rating", rating)
    for name, value in categories.items():
        _validate_rating(name, value)
    if len(comment or "") > 2000:
        raise ValidationFailed("comment_too_long", "Comments are limited to 2,000 characters.")
    error = review_eligibility_error(booking=booking, author=author, today=today)
    if error:
        raise error
    try:
        with transaction.atomic():
            return Review.objects.create(
                booking=booking,
                listing_id=booking.listing_id,
                author=author,
                rating=rating,
                comment=comment or "",
                **categories,
            )
    except IntegrityError as exc:  # two submissions raced: the second is a duplicate
        raise _not_allowed("This stay has already been reviewed.") from exc


def listing_rating_refresh(listing_id: UUID | str) -> None:
    """Recompute the denormalised rating from published reviews (one aggregate query)."""
    stats = Review.objects.filter(listing_id=listing_id, status=Review.Status.PUBLISHED).aggregate(
        average=Avg("rating"), count=Count("id")
    )
    listing = Listing.objects.select_for_update().get(pk=listing_id)
    average = stats["average"]
    listing.rating_average = round(average, 2) if average is not None else None
    listing.review_count = stats["count"]
    listing.save(update_fields=["rating_average", "review_count", "updated_at"])


def _ensure_moderator(actor: User) -> None:
    if not is_moderator(actor) and not (actor and actor.has_perm("reviews.moderate_review")):
        raise NotPermitted("Only moderators can moderate reviews.")


def _moderate(review: Review, actor: User, status: str, reason: str = "") -> Review:
    _ensure_moderator(actor)
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.status == status:
        return review
    review.status = status
    review.rejection_reason = reason
    review.moderated_by = actor
    review.moderated_at = timezone.now()
    review.save()
    listing_rating_refresh(review.listing_id)
    if status == Review.Status.PUBLISHED:
        _notify(review, "review_published", review.listing.host)
    return review


def _notify(review: Review, event: str, recipient: User) -> None:
    listing = review.listing
    notification_create(
        event=event,
        ref=f"review:{review.pk}",
        recipient=recipient,
        context={
            "listing_title": listing.title,
            "rating": review.rating,
            "comment": review.comment,
            "response": review.response,
            "guest_name": review.author.first_name or "A guest",
            "host_name": listing.host.first_name or "The host",
            "recipient_name": recipient.first_name or "there",
            "link": (
                f"{settings.SITE_URL}/admin/reviews/review/{review.pk}/change/"
                if recipient.pk == listing.host_id
                else f"{settings.SITE_URL}/api/v1/listings/{listing.pk}/reviews/"
            ),
        },
    )


def listing_ratings_refresh_all() -> int:
    """Recompute every reviewed listing's rating (beat's safety net behind the per-review
    refresh). Returns how many listings were refreshed."""
    listing_ids = set(Review.objects.values_list("listing_id", flat=True).distinct())
    listing_ids |= set(Listing.objects.filter(review_count__gt=0).values_list("pk", flat=True))
    for listing_id in listing_ids:
        with transaction.atomic():
            listing_rating_refresh(listing_id)
    return len(listing_ids)


@attributed_to("actor")
@transaction.atomic
def review_publish(*, review: Review, actor: User) -> Review:
    return _moderate(review, actor, Review.Status.PUBLISHED)


@attributed_to("actor")
@transaction.atomic
def review_reject(*, review: Review, actor: User, reason: str) -> Review:
    reason = text_within((reason or "").strip(), limit=REASON_MAX_LENGTH, field="reason")
    if not reason:
        raise ValidationFailed("reason_required", "Say why the review is rejected.", "reason")
    return _moderate(review, actor, Review.Status.REJECTED, reason)


@attributed_to("actor")
@transaction.atomic
def review_respond(*, review: Review, actor: User, text: str) -> Review:
    if not can_manage_listing(review.listing, actor):
        raise NotFound()
    text = (text or "").strip()
    if not text:
        raise ValidationFailed("response_required", "The response cannot be empty.", "text")
    if len(text) > 2000:
        raise ValidationFailed("response_too_long", "Responses are limited to 2,000 characters.")
    review.response = text
    review.responded_at = timezone.now()
    review.save(update_fields=["response", "responded_at", "updated_at"])
    _notify(review, "review_response", review.author)
    return review
