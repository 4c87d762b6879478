import graphene

from common.errors import NotFound
from messaging.selectors import conversation_list_for, conversation_visible_to, unread_count_total

from ..context import require_user
from ..errors import refusals_as_errors
from ..loaders import batch_conversations
from ..pagination import paginate
from .types import Conversation, ConversationConnection


def visible_conversation(user, conversation_id):
    """The parties (and staff, auditors) see a conversation; anyone else gets not_found."""
    conversation = conversation_visible_to(user).filter(pk=conversation_id).first()
    if conversation is None:
        raise NotFound()
    return conversation


def annotated(user, conversation):
    """The conversation with its unread count and last message, as in a list."""
    return conversation_list_for(user).filter(pk=conversation.pk).first() or conversation


class MessagingQueries(graphene.ObjectType):
    my_conversations = graphene.Field(
        ConversationConnection,
        first=graphene.Int(),
        after=graphene.String(),
        description="Your conversations, as guest or host, newest message first.",
    )
    conversation = graphene.Field(Conversation, id=graphene.UUID(required=True))
    unread_message_count = graphene.Int(description="Unread messages over all your conversations.")

    @refusals_as_errors
    def resolve_my_conversations(root, info, first=None, after=None):
        user = require_user(info)
        connection, page = paginate(
            ConversationConnection, conversation_list_for(user), first=first, after=after
        )
        batch_conversations(page)  # their nested messages: one query for the page
        return connection

    @refusals_as_errors
    def resolve_conversation(root, info, id):
        user = require_user(info)
        return annotated(user, visible_conversation(user, id))

    @refusals_as_errors
    def resolve_unread_message_count(root, info):
        return unread_count_total(require_user(info))
