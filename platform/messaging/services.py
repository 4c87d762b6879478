"""Conversation writes: open a thread, send a message, mark messages read.

Only the two parties write. Staff and auditors may read a conversation (selectors) but never
send in it nor mark it read: a support look must not clear the host's unread badge.
"""

from datetime import datetime, timedelta
from uuid import UUID

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from bookings.models import Booking
from common.actor import attributed_to
from common.errors import DomainError, NotFound, ValidationFailed
from listings.models import Listing

from .models import MESSAGE_MAX_LENGTH, Conversation, Message


def _check_body(body: str) -> str:
    if not isinstance(body, str) or not body.strip():
        raise ValidationFailed("message_empty", "Write a message.", field="body")
    if len(body) > MESSAGE_MAX_LENGTH:
        raise ValidationFailed(
            "message_too_long",
            f"A message may have at most {MESSAGE_MAX_LENGTH} characters.",
            field="body",
        )
    if "\x00" in body:
        raise ValidationFailed("invalid_text", "Text may not contain NUL characters.", "body")
    return body.strip()


def is_party(conversation: Conversation, user: User) -> bool:
    return bool(user and user.is_authenticated) and user.pk in (
        conversation.guest_id,
        conversation.listing.host_id,
    )


def _ensure_party(conversation: Conversation, user: User) -> None:
    if not is_party(conversation, user):
        # Staff and auditors may read it; for everyone else it does not exist.
        from .selectors import can_read_every_conversation

        if can_read_every_conversation(user):
            raise DomainError(
                "not_a_participant", "Only the guest and the host write in a conversation."
            )
        raise NotFound()


def _get_or_open(*, guest: User, listing: Listing) -> Conversation:
    conversation = Conversation.objects.filter(guest=guest, listing=listing).first()
    if conversation is not None:
        return conversation
    try:
        with transaction.atomic():
            return Conversation.objects.create(guest=guest, listing=listing)
    except IntegrityError:  # opened by a concurrent first message: use that one
        return Conversation.objects.get(guest=guest, listing=listing)


@attributed_to("actor")
@transaction.atomic
def conversation_start(
    *, actor: User, body: str, listing: Listing | None = None, booking: Booking | None = None
) -> Conversation:
    """Write to the other party about a listing (a guest's question, even before booking) or
    about a booking (its guest or its listing's host). Reuses the (guest, listing) thread.

    The caller passes a listing it may see (published, or its own) or a booking it may see."""
    body = _check_body(body)
    if (listing is None) == (booking is None):
        raise ValidationFailed(
            "listing_or_booking", "Give either a listing or a booking.", field="listing"
        )
    if booking is not None:
        if actor.pk not in (booking.guest_id, booking.listing.host_id):
            raise NotFound()
        guest, listing = booking.guest, booking.listing
    else:
        assert listing is not None  # one of the two, checked above
        if listing.host_id == actor.pk:
            raise DomainError(
                "own_listing", "You host this listing: answer your guests' conversations."
            )
        if (
            listing.status != Listing.Status.PUBLISHED
            and not Booking.objects.filter(guest=actor, listing=listing).exists()
        ):
            raise NotFound()
        guest = actor
    conversation = _get_or_open(guest=guest, listing=listing)
    _send(conversation=conversation, sender=actor, body=body)
    return conversation


@attributed_to("actor")
@transaction.atomic
def message_send(*, conversation: Conversation, actor: User, body: str) -> Message:
    body = _check_body(body)
    _ensure_party(conversation, actor)
    return _send(conversation=conversation, sender=actor, body=body)


def _send(*, conversation: Conversation, sender: User, body: str) -> Message:
    message = Message.objects.create(conversation=conversation, sender=sender, body=body)
    # Writing to a thread also reads it: the sender has seen everything before their answer.
    _mark_read(conversation, sender, at=message.created_at)
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=message.created_at)
    conversation.last_message_at = message.created_at
    return message


@attributed_to("actor")
@transaction.atomic
def conversation_mark_read(*, conversation: Conversation, actor: User) -> int:
    """Read receipts: every message the other party sent is read now. Returns how many were
    unread. Staff and auditors reading a conversation leave it unread for the parties."""
    _ensure_party(conversation, actor)
    return _mark_read(conversation, actor, at=timezone.now())


def _mark_read(conversation: Conversation, reader: User, *, at: datetime) -> int:
    return (
        Message.objects.filter(conversation=conversation, read_at__isnull=True)
        .exclude(sender=reader)
        .update(read_at=at)
    )


def message_recipient(message: Message) -> User:
    conversation = message.conversation
    if message.sender_id == conversation.guest_id:
        return conversation.listing.host
    return conversation.guest


# --- notifications -------------------------------------------------------------------------
#
# Each new message reaches the other party by email, at most once, batched when several arrive
# within MESSAGE_NOTIFY_DELAY_MINUTES. This module decides WHAT is due (the rule) and marks it
# notified in the same transaction as it writes the outbox rows (notifications), so a retry
# never sends twice; the outbox delivers.


def notification_delay() -> timedelta:
    return timedelta(minutes=settings.MESSAGE_NOTIFY_DELAY_MINUTES)


def message_notifications_collect(*, now: datetime | None = None) -> list[dict]:
    """The batches due now, each marked notified: one per (recipient, conversation) whose
    newest unnotified, unread message is older than the delay (the sender has stopped typing).
    Messages read in the meantime need no email and are only marked.

    Returns `[{"recipient": user, "conversation": c, "messages": [...]}]` for the caller to turn
    into outbox rows inside the same transaction."""
    now = now or timezone.now()
    quiet_since = now - notification_delay()
    with transaction.atomic():
        pending = list(
            Message.objects.select_for_update(of=("self",))
            .filter(notified_at__isnull=True)
            .select_related("conversation__listing__host", "conversation__guest", "sender")
            .order_by("created_at", "id")
        )
        batches: dict[tuple, dict] = {}
        for message in pending:
            key = (message.conversation_id, message.sender_id)
            batches.setdefault(key, {"messages": [], "conversation": message.conversation})
            batches[key]["messages"].append(message)
        due: list[dict] = []
        done: list[UUID] = []
        for batch in batches.values():
            newest = batch["messages"][-1]
            if newest.read_at is None and newest.created_at > quiet_since:
                continue  # still arriving: wait for the sender to stop
            unread = [m for m in batch["messages"] if m.read_at is None]
            done.extend(m.pk for m in batch["messages"])
            if unread:
                due.append(
                    {
                        "recipient": message_recipient(newest),
                        "conversation": batch["conversation"],
                        "messages": unread,
                    }
                )
        Message.objects.filter(pk__in=done).update(notified_at=now)
    return due


def message_notifications_send(*, now: datetime | None = None) -> int:
    """Turn the batches due now into outbox rows (notifications), in the same transaction that
    marks their messages notified: each message causes at most one email, and a batch of quick
    messages one email. Returns how many emails were queued. Run every minute by beat."""
    from notifications.services import notification_create

    queued = 0
    with transaction.atomic():
        for batch in message_notifications_collect(now=now):
            messages = batch["messages"]
            conversation = batch["conversation"]
            newest = messages[-1]
            row = notification_create(
                event="message_received",
                ref=f"message:{newest.pk}",
                recipient=batch["recipient"],
                context={
                    "recipient_name": batch["recipient"].first_name or "there",
                    "link": f"{settings.SITE_URL}/api/v1/conversations/{conversation.pk}/",
                    "sender_name": newest.sender.first_name or "Someone",
                    "listing_title": conversation.listing.title,
                    "conversation_id": str(conversation.pk),
                    "count": len(messages),
                    "messages": [m.body[:1000] for m in messages[-5:]],
                },
            )
            queued += row is not None
    return queued
