"""A listing's calendar: per-date overrides and one occupancy table for stays and host blocks.

Bookings and host blocks both occupy nights [start, end). Keeping them in ONE table lets
PostgreSQL guarantee with a single exclusion constraint that no two active occupancies of a
listing overlap: the database, not the application, has the last word on double booking.
"""

from django.conf import settings
from django.contrib.postgres.fields import RangeOperators
from django.db import models
from django.db.models import F, Func, Q

from common.constraints import PostgresExclusionConstraint
from common.history import audited
from common.models import BaseModel
from listings.models import MONEY, Listing


class DateRange(Func):
    """PostgreSQL's daterange(start, end) — half-open, like a stay: [check-in, check-out)."""

    function = "daterange"
    output_field = models.DateField()  # only used inside the constraint expression


class CalendarDay(BaseModel):
    """A host's override for one night: a custom price, or the night closed."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="calendar_days")
    date = models.DateField()
    price = models.DecimalField(**MONEY, null=True, blank=True, help_text="Empty: default price.")
    is_blocked = models.BooleanField(default=False)

    history = audited()

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["listing", "date"],
                name="calendar_day_unique",
                violation_error_message="This night already has an override: change that one.",
            ),
            models.CheckConstraint(
                condition=Q(price__isnull=True) | Q(price__gt=0),
                name="calendar_day_price_positive",
                violation_error_message="A price must be more than zero.",
            ),
        ]

    def __str__(self):
        return f"{self.listing_id} {self.date}"


class Occupancy(BaseModel):
    class Kind(models.TextChoices):
        BOOKING = "booking", "Booking"
        BLOCK = "block", "Host block"

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="occupancies")
    start = models.DateField(help_text="First night (check-in).")
    end = models.DateField(help_text="Day after the last night (check-out).")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    is_active = models.BooleanField(default=True)
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    history = audited()

    class Meta:
        ordering = ["start"]
        verbose_name_plural = "occupancies"
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="occupancy_end_after_start",
                violation_error_message="The end date must be after the start date.",
            ),
            PostgresExclusionConstraint(
                name="occupancy_no_overlap",
                expressions=[
                    ("listing", RangeOperators.EQUAL),
                    (DateRange("start", "end"), RangeOperators.OVERLAPS),
                ],
                condition=Q(is_active=True),
                violation_error_code="dates_unavailable",
                violation_error_message="These dates are no longer available.",
            ),
        ]
        indexes = [
            models.Index(fields=["listing", "start", "end"], name="occupancy_calendar"),
            # The search's availability check ("no active stay overlaps these dates") for a
            # whole city at once: the stays ending after the check-in are a small, recent part
            # of the table, found here instead of by reading every stay ever booked.
            models.Index(
                fields=["end", "start"], condition=Q(is_active=True), name="occupancy_active_end"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.start} → {self.end}"

    @property
    def nights(self) -> int:
        return (self.end - self.start).days


class HostBlockManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(kind=Occupancy.Kind.BLOCK)


class HostBlock(Occupancy):
    """A date range the host closed (owner stay, maintenance): an occupancy of kind block."""

    objects = HostBlockManager()

    class Meta:
        proxy = True
        ordering = ["start"]

    def save(self, *args, **kwargs):
        self.kind = Occupancy.Kind.BLOCK
        super().save(*args, **kwargs)


class ChannelFeed(BaseModel):
    """Another channel's iCal export of this listing (another marketplace's calendar). Its
    events become host blocks (ChannelBlock), synced periodically by calendars.channels."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="channel_feeds")
    name = models.CharField(max_length=100, blank=True, help_text="e.g. the other marketplace.")
    url = models.URLField(max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_synced_at = models.DateTimeField(null=True, blank=True, help_text="Last success.")
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, help_text="Why the last attempt failed.")
    conflicts = models.JSONField(
        default=list,
        blank=True,
        help_text="Events of the last sync that overlap a booking or block: [{uid, start, end}].",
    )

    history = audited()

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["listing", "url"], name="channel_feed_unique_url")
        ]

    def __str__(self):
        return self.name or self.url


class ChannelBlock(BaseModel):
    """The host block standing for one event (by its UID) of a channel feed."""

    feed = models.ForeignKey(ChannelFeed, on_delete=models.CASCADE, related_name="blocks")
    uid = models.CharField(max_length=255)
    occupancy = models.OneToOneField(
        Occupancy, on_delete=models.CASCADE, related_name="channel_block"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["feed", "uid"], name="channel_block_unique_uid")
        ]

    def __str__(self):
        return self.uid
