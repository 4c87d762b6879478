from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from bookings.models import Booking
from common.history import audited
from common.models import BaseModel
from listings.models import Listing

RATING = [MinValueValidator(1), MaxValueValidator(5)]
CATEGORY_FIELDS = ("cleanliness", "accuracy", "communication", "location", "check_in", "value")


def _category():
    return models.PositiveSmallIntegerField(null=True, blank=True, validators=RATING)


class Review(BaseModel):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        PUBLISHED = "published", "Published"
        REJECTED = "rejected", "Rejected"

    booking = models.OneToOneField(Booking, on_delete=models.PROTECT, related_name="review")
    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="reviews")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews"
    )
    rating = models.PositiveSmallIntegerField(validators=RATING)
    cleanliness = _category()
    accuracy = _category()
    communication = _category()
    location = _category()
    check_in = _category()
    value = _category()
    comment = models.TextField(max_length=2000, blank=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    rejection_reason = models.CharField(max_length=500, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)

    response = models.TextField(max_length=2000, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    history = audited()

    class Meta:
        ordering = ["-created_at"]
        permissions = [("moderate_review", "Can publish or reject reviews")]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5),
                name="review_rating_1_to_5",
                violation_error_message="A rating is from 1 to 5.",
            ),
        ]
        indexes = [
            models.Index(fields=["listing", "status", "-created_at"], name="review_by_listing"),
            models.Index(fields=["status", "created_at"], name="review_moderation_queue"),
        ]

    def __str__(self):
        return f"{self.rating}★ · {self.listing}"
