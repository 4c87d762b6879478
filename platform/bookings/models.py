from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q

from calendars.models import Occupancy
from common.history import audited
from common.models import BaseModel
from common.money import CURRENCY_CHOICES
from listings.models import MONEY, Listing


class BookingStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    PENDING_PAYMENT = "pending_payment", "Pending payment"
    CONFIRMED = "confirmed", "Confirmed"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    DECLINED = "declined", "Declined"
    EXPIRED = "expired", "Expired"


# Statuses that hold the listing's calendar.
ACTIVE_STATUSES = (
    BookingStatus.REQUESTED,
    BookingStatus.PENDING_PAYMENT,
    BookingStatus.CONFIRMED,
    BookingStatus.COMPLETED,
)
CANCELLABLE_STATUSES = (
    BookingStatus.REQUESTED,
    BookingStatus.PENDING_PAYMENT,
    BookingStatus.CONFIRMED,
)


class Booking(BaseModel):
    Status = BookingStatus

    guest = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bookings"
    )
    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="bookings")
    occupancy = models.OneToOneField(
        Occupancy, on_delete=models.PROTECT, related_name="booking", null=True, blank=True
    )
    check_in = models.DateField()
    check_out = models.DateField()
    guests = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    status = models.CharField(max_length=20, choices=BookingStatus.choices, db_index=True)

    # Immutable snapshots taken at booking time: later price or policy edits never change them.
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    nightly_subtotal = models.DecimalField(**MONEY)
    discount = models.DecimalField(**MONEY)
    cleaning_fee = models.DecimalField(**MONEY)
    service_fee = models.DecimalField(**MONEY)
    taxes = models.DecimalField(**MONEY)
    total = models.DecimalField(**MONEY)
    host_fee = models.DecimalField(**MONEY)
    price_snapshot = models.JSONField(help_text="The quote lines at booking time.")
    cancellation_policy = models.CharField(max_length=10)
    policy_snapshot = models.JSONField(help_text="The refund rules at booking time.")

    amount_paid = models.DecimalField(**MONEY, default=0)
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text="When an unanswered request or unpaid hold lapses."
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancellation_reason = models.CharField(max_length=500, blank=True)
    refund_amount = models.DecimalField(**MONEY, null=True, blank=True)

    history = audited()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(check_out__gt=F("check_in")),
                name="booking_check_out_after_check_in",
                violation_error_message="Check-out must be after check-in.",
            ),
            models.CheckConstraint(
                condition=Q(guests__gte=1),
                name="booking_guests_positive",
                violation_error_message="A booking is for at least one guest.",
            ),
        ]
        indexes = [
            models.Index(fields=["listing", "check_in", "check_out"], name="booking_calendar"),
            models.Index(fields=["guest", "-created_at"], name="booking_by_guest"),
            models.Index(fields=["status", "expires_at"], name="booking_expiry"),
            models.Index(fields=["status", "check_out"], name="booking_completion"),
            # Lists in the default order: the back-office adds the primary key as a tie-break
            # (ORDER BY created_at DESC, id DESC), which the created_at index alone cannot
            # answer, so PostgreSQL read and sorted all 100,000 bookings for a page of 50.
            models.Index(fields=["-created_at", "-id"], name="booking_newest_first"),
        ]

    def __str__(self):
        return f"{self.listing} · {self.check_in} → {self.check_out}"

    @property
    def nights(self) -> int:
        return (self.check_out - self.check_in).days

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class KpiSnapshot(models.Model):
    """The marketplace-wide dashboard figures of one period, as beat last computed them
    (bookings.kpis.kpi_reports_refresh). The dashboard reads this row and never recomputes
    on a person's request; kept in the database so a cold or lost cache costs nothing either.
    Derived data, replaced every few minutes: no history."""

    days = models.PositiveSmallIntegerField(primary_key=True)
    computed_at = models.DateTimeField()
    figures = models.JSONField()

    def __str__(self):
        return f"KPIs, last {self.days} days, computed {self.computed_at:%Y-%m-%d %H:%M}"
