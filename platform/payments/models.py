"""What money did: payments, refunds, payouts, provider webhooks, and the hosts' payout settings.

The database enforces what must never happen whatever the retries or races: a booking has at
most one succeeded payment and at most one payment in flight; a booking is paid out once.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from bookings.models import Booking
from common.history import audited
from common.models import BaseModel
from common.money import CURRENCY_CHOICES
from listings.models import MONEY


class PaymentStatus(models.TextChoices):
    PROCESSING = "processing", "Processing"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class RefundStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class RefundKind(models.TextChoices):
    CANCELLATION = "cancellation", "Cancellation"
    GOODWILL = "goodwill", "Goodwill"
    UNCONFIRMABLE = "unconfirmable", "Booking could not be confirmed"


class PayoutStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    APPROVED = "approved", "Approved"
    PAID = "paid", "Paid"
    FAILED = "failed", "Failed"


class Payment(BaseModel):
    """One attempt to charge a booking's total. Committed as `processing` before the provider
    is called, so a crash mid-call leaves a record the recovery sweep finds."""

    Status = PaymentStatus

    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    payment_method = models.CharField(max_length=255)
    status = models.CharField(
        max_length=12, choices=PaymentStatus.choices, default=PaymentStatus.PROCESSING
    )
    provider = models.CharField(max_length=20)
    provider_reference = models.CharField(max_length=255, blank=True, db_index=True)
    failure_code = models.CharField(max_length=64, blank=True)
    failure_message = models.CharField(max_length=500, blank=True)
    idempotency_key = models.CharField(
        max_length=255, blank=True, help_text="The client's key of the pay request, if any."
    )
    succeeded_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    history = audited()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["booking"],
                condition=Q(status="succeeded"),
                name="payment_one_succeeded_per_booking",
            ),
            models.UniqueConstraint(
                fields=["booking"],
                condition=Q(status="processing"),
                name="payment_one_processing_per_booking",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="payment_by_status")]

    def __str__(self):
        return f"{self.amount} {self.currency} · {self.get_status_display()}"

    @property
    def provider_idempotency_key(self) -> str:
        return f"staybook-payment-{self.pk}"


class Refund(BaseModel):
    Status = RefundStatus
    Kind = RefundKind

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(**MONEY)
    kind = models.CharField(max_length=16, choices=RefundKind.choices)
    status = models.CharField(
        max_length=10, choices=RefundStatus.choices, default=RefundStatus.PENDING
    )
    reason = models.CharField(max_length=500, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    provider_reference = models.CharField(max_length=255, blank=True)
    failure_code = models.CharField(max_length=64, blank=True)
    failure_message = models.CharField(max_length=500, blank=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    retry_of = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="retried_by",
        help_text="The failed refund this one tries again (a failed refund is retried once; "
        "a retry that fails can be retried in turn).",
    )

    history = audited()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="refund_by_status")]

    def __str__(self):
        return f"Refund {self.amount} {self.payment.currency} · {self.get_status_display()}"

    @property
    def provider_idempotency_key(self) -> str:
        return f"staybook-refund-{self.pk}"


class PayoutAccount(BaseModel):
    """Where a host is paid: their Stripe connected account."""

    host = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payout_account"
    )
    stripe_account_id = models.CharField(max_length=255, blank=True, help_text="acct_…")

    history = audited()

    def __str__(self):
        return f"Payout account of {self.host}"


class Payout(BaseModel):
    Status = PayoutStatus

    host = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payouts"
    )
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    amount = models.DecimalField(**MONEY)
    status = models.CharField(
        max_length=10, choices=PayoutStatus.choices, default=PayoutStatus.SCHEDULED
    )
    provider_reference = models.CharField(max_length=255, blank=True)
    failure_reason = models.CharField(max_length=500, blank=True)
    attempt = models.PositiveSmallIntegerField(
        default=1, help_text="Transfer attempt; a retry after a failure is a new attempt (key)."
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    history = audited()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="payout_amount_not_negative"),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="payout_by_status")]

    def __str__(self):
        return f"Payout {self.amount} {self.currency} · {self.get_status_display()}"

    @property
    def provider_idempotency_key(self) -> str:
        return f"staybook-payout-{self.pk}"

    @property
    def netted(self):
        """What this payout holds back from its lines: money the host owed after a refund of a
        stay already paid out (payouts.services.host_owed_back). Uses the prefetched lines."""
        from decimal import Decimal

        return sum((line.amount for line in self.lines.all()), Decimal("0.00")) - self.amount


class PayoutLine(BaseModel):
    payout = models.ForeignKey(Payout, on_delete=models.CASCADE, related_name="lines")
    booking = models.OneToOneField(Booking, on_delete=models.PROTECT, related_name="payout_line")
    amount = models.DecimalField(**MONEY)

    history = audited()

    def __str__(self):
        return f"{self.booking_id}: {self.amount}"


class WebhookEvent(BaseModel):
    """Every provider event, stored once: a redelivery finds its row and changes nothing."""

    provider = models.CharField(max_length=20)
    event_id = models.CharField(max_length=255)
    type = models.CharField(max_length=100)
    payload = models.JSONField()
    processed_at = models.DateTimeField(null=True, blank=True)

    history = audited()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "event_id"], name="webhook_event_once_per_provider"
            )
        ]

    def __str__(self):
        return f"{self.provider}:{self.event_id} {self.type}"


class SimulatedOperation(models.Model):
    """The simulated provider's own books (its side of the world, not ours): what it charged,
    refunded and transferred, keyed by the idempotency key each call carried. `ledger_check`
    compares our records with these, as one would with a real provider's reports."""

    class Kind(models.TextChoices):
        CHARGE = "charge", "Charge"
        REFUND = "refund", "Refund"
        TRANSFER = "transfer", "Transfer"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    reference = models.CharField(max_length=64, unique=True)
    idempotency_key = models.CharField(max_length=255, unique=True)
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    succeeded = models.BooleanField()
    failure_code = models.CharField(max_length=64, blank=True)
    target = models.CharField(max_length=255, blank=True, help_text="Payment method, charge…")
    metadata = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.kind} {self.reference}"
