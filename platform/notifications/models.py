"""The email outbox: one row per recipient and event, written in the transaction of the change
it announces, sent by a worker (notifications.services)."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone


class Notification(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed: gave up after every retry"

    event = models.CharField(max_length=40, help_text="What happened, e.g. booking_confirmed.")
    ref = models.CharField(max_length=100, help_text="What it is about, e.g. booking:<id>.")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    to_email = models.EmailField(max_length=254)
    context = models.JSONField(
        encoder=DjangoJSONEncoder,
        default=dict,
        blank=True,
        help_text="What the email says, as of the change.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # A replayed change (retried task, duplicate webhook) cannot announce itself twice.
            models.UniqueConstraint(
                fields=["event", "ref", "recipient"], name="notification_once_per_recipient"
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="notification_due")]

    def __str__(self):
        return f"{self.event} → {self.to_email}"
