"""Conversation reads shared by REST, GraphQL and the back-office, in a fixed number of queries."""

from collections.abc import Iterable
from uuid import UUID

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber

from accounts.models import User
from accounts.roles import is_auditor

from .models import Conversation, Message


def can_read_every_conversation(user: User) -> bool:
    """Staff and auditors read conversations (support, audits); they never take part."""
    return bool(user and user.is_authenticated and (user.is_staff or is_auditor(user)))


def conversation_visible_to(user: User) -> QuerySet:
    """The conversations `user` may see: their own as guest or as the listing's host (staff and
    auditors: all). Everyone else sees none, so others' conversations are a 404."""
    qs = Conversation.objects.select_related("guest", "listing", "listing__host")
    if not user or not user.is_authenticated:
        return qs.none()
    if can_read_every_conversation(user):
        return qs
    return qs.filter(Q(guest=user) | Q(listing__host=user))


def _unread_for(user: User) -> Q:
    return Q(messages__read_at__isnull=True) & ~Q(messages__sender=user)


def conversation_list_for(user: User) -> QuerySet:
    """The caller's own conversations (as guest or host), newest message first, each with its
    unread count and last message, in one query."""
    last = Message.objects.filter(conversation=OuterRef("pk")).order_by("-created_at", "-id")
    return (
        Conversation.objects.select_related("guest", "listing", "listing__host")
        .filter(Q(guest=user) | Q(listing__host=user))
        .annotate(
            unread_count=Count("messages", filter=_unread_for(user)),
            last_message_body=Subquery(last.values("body")[:1]),
            last_message_sender=Subquery(last.values("sender")[:1]),
        )
        .order_by("-last_message_at", "-created_at", "id")
    )


def conversation_list_readable(user: User) -> QuerySet:
    """Every conversation `user` may read (conversation_visible_to: their own, or all for staff
    and auditors), newest message first, each with its last message and the messages unread
    by `user`, in one query: the back-office's inbox and a listing's or booking's threads."""
    last = Message.objects.filter(conversation=OuterRef("pk")).order_by("-created_at", "-id")
    return (
        conversation_visible_to(user)
        .annotate(
            unread_count=Count("messages", filter=_unread_for(user)),
            last_message_body=Subquery(last.values("body")[:1]),
        )
        .order_by(F("last_message_at").desc(nulls_last=True), "-created_at", "id")
    )


def unread_count_total(user: User) -> int:
    """Messages sent to `user` that they have not read yet, over all their conversations."""
    return (
        Message.objects.filter(read_at__isnull=True)
        .filter(Q(conversation__guest=user) | Q(conversation__listing__host=user))
        .exclude(sender=user)
        .count()
    )


def conversation_unread_count(conversation: Conversation, user: User) -> int:
    cached = getattr(conversation, "unread_count", None)
    if cached is not None:
        return cached
    return conversation.messages.filter(read_at__isnull=True).exclude(sender=user).count()


def message_list(conversation: Conversation) -> QuerySet:
    """A conversation's messages, newest first (clients page backwards)."""
    return conversation.messages.select_related("sender").order_by("-created_at", "-id")


def message_pages_for_conversations(
    conversation_ids: Iterable[UUID], *, offset: int, limit: int
) -> dict:
    """For each conversation, its messages number offset+1 .. offset+limit in message_list's
    order (newest first), in ONE query (a window function): a page of conversations with their
    latest messages costs the same whatever its size. Returns {conversation_id: [Message]}."""
    conversation_ids = list(conversation_ids)
    ranked = (
        Message.objects.filter(conversation_id__in=conversation_ids)
        .select_related("sender")
        .annotate(
            position=Window(
                RowNumber(),
                partition_by=[F("conversation_id")],
                order_by=[F("created_at").desc(), F("id").desc()],
            )
        )
        .filter(position__gt=offset, position__lte=offset + limit)
        .order_by("conversation_id", "position")
    )
    pages: dict = {conversation_id: [] for conversation_id in conversation_ids}
    for message in ranked:
        pages.setdefault(message.conversation_id, []).append(message)
    return pages
