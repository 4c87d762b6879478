import graphene

from bookings.selectors import booking_visible_to
from common.errors import ValidationFailed
from listings.selectors import listing_visible_to
from messaging.services import conversation_mark_read, conversation_start, message_send

from ..context import require_user
from ..mutations import DomainMutation
from .queries import annotated, visible_conversation
from .types import Conversation, Message


class StartConversationInput(graphene.InputObjectType):
    listing_id = graphene.UUID(description="Ask the host of this listing.")
    booking_id = graphene.UUID(description="Write about this booking (its guest or host).")
    body = graphene.String(required=True, description="At most 5,000 characters.")


class StartConversation(DomainMutation):
    """Write to a listing's host or about a booking; reuses the guest's thread for the listing."""

    class Arguments:
        input = StartConversationInput(required=True)

    conversation = graphene.Field(Conversation)
    field_renames = {"listing": "listingId", "booking": "bookingId"}

    @classmethod
    def perform(cls, info, *, body, listing_id=None, booking_id=None):
        user = require_user(info)
        listing = booking = None
        if booking_id is not None:
            booking = booking_visible_to(user).filter(pk=booking_id).first()
            if booking is None:
                raise ValidationFailed("booking_not_found", "No such booking.", field="booking")
        if listing_id is not None:
            listing = listing_visible_to(user).filter(pk=listing_id).first()
            if listing is None:
                raise ValidationFailed("listing_not_found", "No such listing.", field="listing")
        conversation = conversation_start(actor=user, body=body, listing=listing, booking=booking)
        return {"conversation": annotated(user, conversation)}


class SendMessageInput(graphene.InputObjectType):
    conversation_id = graphene.UUID(required=True)
    body = graphene.String(required=True, description="At most 5,000 characters.")


class SendMessage(DomainMutation):
    class Arguments:
        input = SendMessageInput(required=True)

    message = graphene.Field(Message)
    field_renames = {"conversation": "conversationId"}

    @classmethod
    def perform(cls, info, *, conversation_id, body):
        user = require_user(info)
        conversation = visible_conversation(user, conversation_id)
        return {"message": message_send(conversation=conversation, actor=user, body=body)}


class MarkConversationReadInput(graphene.InputObjectType):
    conversation_id = graphene.UUID(required=True)


class MarkConversationRead(DomainMutation):
    """Read receipts: every message the other party sent becomes read."""

    class Arguments:
        input = MarkConversationReadInput(required=True)

    marked = graphene.Int(description="How many messages were unread.")
    field_renames = {"conversation": "conversationId"}

    @classmethod
    def perform(cls, info, *, conversation_id):
        user = require_user(info)
        conversation = visible_conversation(user, conversation_id)
        return {"marked": conversation_mark_read(conversation=conversation, actor=user)}


class MessagingMutations(graphene.ObjectType):
    start_conversation = StartConversation.Field()
    send_message = SendMessage.Field()
    mark_conversation_read = MarkConversationRead.Field()
