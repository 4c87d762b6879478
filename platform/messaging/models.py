"""Conversations between a guest and a listing's host, and their messages.

One conversation per (guest, listing): a question before booking and every later booking of the
same place share one thread, as guests and hosts expect. The host is whoever hosts the listing
now (a transferred listing's new host answers), so it is not stored here.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from common.history import audited
from common.models import BaseModel
from listings.models import Listing

MESSAGE_MAX_LENGTH = 5000


class Conversation(BaseModel):
    guest = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="guest_conversations"
    )
    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="conversations")
    last_message_at = models.DateTimeField(
        null=True, blank=True, help_text="When the newest message was sent (list order)."
    )

    history = audited()

    class Meta:
        ordering = [models.F("last_message_at").desc(nulls_last=True), "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["guest", "listing"], name="conversation_per_guest")
        ]
        indexes = [
            models.Index(fields=["guest", "-last_message_at"], name="conversation_by_guest"),
            models.Index(fields=["listing", "-last_message_at"], name="conversation_by_listing"),
        ]

    def __str__(self):
        return f"{self.guest} · {self.listing}"


class Message(BaseModel):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sent_messages"
    )
    body = models.TextField(max_length=MESSAGE_MAX_LENGTH)
    read_at = models.DateTimeField(
        null=True, blank=True, help_text="When the other party first read it (read receipt)."
    )
    notified_at = models.DateTimeField(
        null=True, blank=True, help_text="When the other party was told of it by email."
    )

    history = audited()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["conversation", "-created_at"], name="message_thread"),
            # Unread counts read only unread rows: a small partial index.
            models.Index(
                fields=["conversation", "sender"],
                condition=Q(read_at__isnull=True),
                name="message_unread",
            ),
        ]

    def __str__(self):
        return self.body[:50]
