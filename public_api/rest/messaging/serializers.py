from rest_framework import serializers

from messaging.models import MESSAGE_MAX_LENGTH, Conversation, Message
from public_api.rest.fields import PublicPerson


class ConversationListing(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    city = serializers.CharField()


class ConversationOut(serializers.ModelSerializer):
    """A thread as either party sees it: the other party by first name only."""

    listing = ConversationListing(read_only=True)
    guest = PublicPerson(read_only=True)
    host = PublicPerson(source="listing.host", read_only=True)
    unread_count = serializers.SerializerMethodField()
    last_message = serializers.SerializerMethodField()

    class Meta:
        model = Conversation
        fields = [
            "id",
            "listing",
            "guest",
            "host",
            "last_message_at",
            "unread_count",
            "last_message",
            "created_at",
        ]
        read_only_fields = fields

    def get_unread_count(self, conversation) -> int:
        from messaging.selectors import conversation_unread_count

        return conversation_unread_count(conversation, self.context["request"].user)

    def get_last_message(self, conversation) -> str | None:
        return getattr(conversation, "last_message_body", None)


class MessageOut(serializers.ModelSerializer):
    sender = PublicPerson(read_only=True)
    read_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When the recipient read it (null: unread)."
    )

    class Meta:
        model = Message
        fields = ["id", "sender", "body", "created_at", "read_at"]
        read_only_fields = fields


class ConversationStartInput(serializers.Serializer):
    listing = serializers.UUIDField(required=False, help_text="Ask the host of this listing.")
    booking = serializers.UUIDField(required=False, help_text="Write about this booking.")
    body = serializers.CharField(max_length=MESSAGE_MAX_LENGTH, trim_whitespace=False)


class MessageInput(serializers.Serializer):
    body = serializers.CharField(max_length=MESSAGE_MAX_LENGTH, trim_whitespace=False)


class MarkReadOut(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many messages were unread.")


class UnreadOut(serializers.Serializer):
    unread = serializers.IntegerField(help_text="Unread messages over all your conversations.")
