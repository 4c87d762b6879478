import graphene

from messaging.selectors import conversation_unread_count

from ..accounts.types import Host
from ..loaders import conversation_batch
from ..pagination import CountableConnection, build_connection, page_window


class ConversationListing(graphene.ObjectType):
    id = graphene.UUID(required=True)
    title = graphene.String(required=True)
    city = graphene.String(required=True)


class Message(graphene.ObjectType):
    id = graphene.UUID(required=True)
    sender = graphene.Field(Host, required=True, description="First name only.")
    body = graphene.String(required=True)
    created_at = graphene.DateTime(required=True)
    read_at = graphene.DateTime(description="When the recipient read it (null: unread).")


class MessageConnection(CountableConnection):
    class Meta:
        node = Message


class Conversation(graphene.ObjectType):
    """A guest and a listing's host: one thread per guest and listing."""

    id = graphene.UUID(required=True)
    listing = graphene.Field(ConversationListing, required=True)
    guest = graphene.Field(Host, required=True, description="First name only.")
    host = graphene.Field(Host, required=True, description="First name only.")
    last_message_at = graphene.DateTime()
    last_message = graphene.String(description="The newest message's text (in lists).")
    unread_count = graphene.Int(required=True, description="Messages sent to you, unread.")
    created_at = graphene.DateTime(required=True)
    messages = graphene.Field(
        MessageConnection,
        required=True,
        first=graphene.Int(),
        after=graphene.String(),
        description="Newest first. Reading does not mark read: markConversationRead does.",
    )

    def resolve_host(conversation, info):
        return conversation.listing.host

    def resolve_last_message(conversation, info):
        return getattr(conversation, "last_message_body", None)

    def resolve_unread_count(conversation, info):
        return conversation_unread_count(conversation, info.context.user)

    def resolve_messages(conversation, info, first=None, after=None):
        offset, limit = page_window(first, after)
        rows = conversation_batch(conversation).messages(
            conversation.pk, offset=offset, limit=limit + 1
        )
        return build_connection(MessageConnection, rows, offset=offset, limit=limit)


class ConversationConnection(CountableConnection):
    class Meta:
        node = Conversation
