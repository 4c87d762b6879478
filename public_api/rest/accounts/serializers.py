from rest_framework import serializers

from accounts.models import User
from accounts.services import PROFILE_FIELDS
from common.text import max_length
from public_api.rest.fields import NewPasswordField, StrictCharField, StrictModelSerializer


class RegisterInput(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = NewPasswordField(write_only=True)
    first_name = StrictCharField(max_length=150, required=False, allow_blank=True)
    last_name = StrictCharField(max_length=150, required=False, allow_blank=True)


class RegisteredUser(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "first_name", "last_name"]
        read_only_fields = fields


class Me(StrictModelSerializer):
    """The caller's own profile: the only place a user's email and phone are ever shown."""

    is_host = serializers.BooleanField(read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "first_name",
            "last_name",
            "phone",
            "bio",
            "is_host",
            "date_joined",
        ]
        read_only_fields = ["id", "email", "is_host", "date_joined"]
        # Lengths are the core's rule (too_long, the same refusal as GraphQL's updateMe).
        extra_kwargs = {
            name: {"max_length": None, "help_text": f"At most {max_length(User, name)} characters."}
            for name in PROFILE_FIELDS
        }


class TokenInput(serializers.Serializer):
    email = StrictCharField(max_length=254, trim_whitespace=False)
    password = StrictCharField(write_only=True, max_length=128, trim_whitespace=False)


class TokenPair(serializers.Serializer):
    access = StrictCharField(read_only=True)
    refresh = StrictCharField(read_only=True)


class RefreshInput(serializers.Serializer):
    refresh = StrictCharField(max_length=4096, trim_whitespace=False)


class PasswordChangeInput(serializers.Serializer):
    old_password = StrictCharField(max_length=128, trim_whitespace=False)
    new_password = NewPasswordField()


class PasswordResetInput(serializers.Serializer):
    email = serializers.EmailField(max_length=254)


class PasswordResetConfirmInput(serializers.Serializer):
    uid = StrictCharField(max_length=64)
    token = StrictCharField(max_length=128)
    new_password = NewPasswordField()


class Detail(serializers.Serializer):
    detail = StrictCharField(read_only=True)
