from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper

from common.history import audited
from common.models import BaseModel
from common.money import CURRENCY_CHOICES

MONEY: dict[str, Any] = {"max_digits": 10, "decimal_places": 2}
PERCENT: dict[str, Any] = {
    "max_digits": 5,
    "decimal_places": 2,
    "default": Decimal("0"),
    "validators": [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
}


class Amenity(BaseModel):
    slug = models.SlugField(unique=True, max_length=50)
    name = models.CharField(max_length=100)
    icon = models.CharField(max_length=50, blank=True, help_text="Material Symbols icon name.")

    history = audited()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "amenities"

    def __str__(self):
        return self.name


class Listing(BaseModel):
    class PropertyType(models.TextChoices):
        APARTMENT = "apartment", "Apartment"
        HOUSE = "house", "House"
        CABIN = "cabin", "Cabin"
        VILLA = "villa", "Villa"
        LOFT = "loft", "Loft"
        ROOM = "room", "Private room"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        SUSPENDED = "suspended", "Suspended"

    class CancellationPolicy(models.TextChoices):
        FLEXIBLE = "flexible", "Flexible"
        MODERATE = "moderate", "Moderate"
        STRICT = "strict", "Strict"

    # No index of its own: `listing_newest_first` (created_at DESC, id DESC) answers every
    # order and range on it, and a second one cost each written listing one more entry.
    created_at = models.DateTimeField(auto_now_add=True)
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="listings"
    )
    external_id = models.CharField(
        max_length=100, blank=True, default="", help_text="The host's own reference (imports)."
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=10000)
    property_type = models.CharField(
        max_length=20, choices=PropertyType.choices, default=PropertyType.APARTMENT
    )
    address = models.CharField(max_length=255, blank=True)
    city = models.CharField(max_length=100)
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2 code, e.g. FR.")
    latitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    time_zone = models.CharField(max_length=64, default="UTC")
    max_guests = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    bedrooms = models.PositiveSmallIntegerField(default=1, validators=[MaxValueValidator(50)])
    beds = models.PositiveSmallIntegerField(default=1, validators=[MaxValueValidator(100)])
    bathrooms = models.DecimalField(
        max_digits=3,
        decimal_places=1,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("50"))],
    )
    amenities = models.ManyToManyField(Amenity, blank=True, related_name="listings")

    nightly_price = models.DecimalField(**MONEY, validators=[MinValueValidator(Decimal("1"))])
    weekend_price = models.DecimalField(
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("1"))],
        help_text="Price for Friday and Saturday nights; empty uses the nightly price.",
    )
    cleaning_fee = models.DecimalField(
        **MONEY, default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))]
    )
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="EUR")
    min_nights = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    max_nights = models.PositiveSmallIntegerField(
        default=365, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    weekly_discount = models.DecimalField(**PERCENT, help_text="% off stays of 7+ nights.")
    monthly_discount = models.DecimalField(**PERCENT, help_text="% off stays of 28+ nights.")
    tax_rate = models.DecimalField(**PERCENT, help_text="Local taxes, % of the stay.")
    cancellation_policy = models.CharField(
        max_length=10, choices=CancellationPolicy.choices, default=CancellationPolicy.MODERATE
    )
    instant_book = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)

    # Denormalised from published reviews by reviews.services (never edited by hand).
    rating_average = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    review_count = models.PositiveIntegerField(default=0)

    # History is read by listing (`id`), date and actor, never by host; its amenity links only
    # by history row (common.history.AuditedRecords.create_history_m2m_model).
    history = audited(
        m2m_fields=[amenities], no_db_index=["host"], m2m_no_db_index=["id", "listing", "amenity"]
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["host", "external_id"],
                condition=~Q(external_id=""),
                name="listing_external_id_unique_per_host",
                violation_error_message="This host already has a listing with this external id.",
            ),
            models.CheckConstraint(
                condition=Q(min_nights__lte=F("max_nights")),
                name="listing_min_nights_lte_max_nights",
                violation_error_message="Minimum nights cannot be more than maximum nights.",
            ),
            models.CheckConstraint(
                condition=Q(nightly_price__gt=0),
                name="listing_price_positive",
                violation_error_message="The nightly price must be more than zero.",
            ),
        ]
        indexes = [
            # The search path: published listings by place, price and capacity. Places are
            # matched in any case (`city__iexact` is UPPER(city) = UPPER(%s)), so the place
            # indexes are on UPPER(...): one on the plain column is never used. The city
            # index ends with the default order (newest first) so a page of a city's
            # listings stops reading after its rows.
            models.Index(
                F("status"), Upper("city"), F("created_at").desc(), name="listing_search_city_ci"
            ),
            models.Index(F("status"), Upper("country"), name="listing_search_country_ci"),
            models.Index(fields=["status", "nightly_price"], name="listing_search_price"),
            models.Index(fields=["status", "max_guests"], name="listing_search_capacity"),
            models.Index(fields=["status", "-rating_average"], name="listing_search_rating"),
            # The back-office list in the default order with its primary-key tie-break
            # (ORDER BY created_at DESC, id DESC): a page reads 50 rows, not every listing.
            models.Index(fields=["-created_at", "-id"], name="listing_newest_first"),
            # Map search: the bounding-box prefilter of `bbox` and `near`.
            models.Index(fields=["latitude", "longitude"], name="listing_search_geo"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class ListingPhoto(BaseModel):
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="listings/%Y/%m/")
    caption = models.CharField(max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    renditions = models.JSONField(
        default=dict, blank=True, help_text="Storage names of the resized copies, by size."
    )

    history = audited()

    class Meta:
        ordering = ["position", "created_at"]

    def __str__(self):
        return self.caption or f"Photo {self.position}"


class ListingImportJob(BaseModel):
    """A listing import too big for one request, run by a Celery task (listings.tasks).

    The back-office shows it as a progress record: status, counts and the per-row error report.
    The uploaded bytes are kept only until the task has read them."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a worker"
        RUNNING = "running", "Running"
        IMPORTED = "imported", "Imported"
        VALIDATED = "validated", "Checked, nothing written (dry run)"
        REJECTED = "rejected", "Rejected: the file has invalid rows, nothing written"
        FAILED = "failed", "Failed: the file could not be read"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="listing_imports"
    )
    file_name = models.CharField(max_length=255)
    file_size = models.PositiveIntegerField(default=0)
    source = models.BinaryField(null=True, editable=False)
    dry_run = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    new_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    invalid_count = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True, help_text="The outcome, in a sentence.")
    error_report = models.JSONField(
        default=list, blank=True, help_text="Invalid rows: [{row, external_id, errors}]."
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    # Written every few seconds by the worker running the job: a running job whose heartbeat
    # stopped belongs to a dead worker (listings.imports.listing_import_jobs_recover).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Runs started so far.")

    # Who started an import and its outcome (progress and heartbeats are updates, not history).
    history = audited(excluded_fields=["source", "heartbeat_at"])

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status not in (self.Status.PENDING, self.Status.RUNNING)
