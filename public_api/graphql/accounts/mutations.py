import graphene
from django.core.exceptions import ValidationError
from rest_framework.exceptions import APIException
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.serializers import TokenRefreshSerializer
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.authentication import user_authenticate
from accounts.models import User as UserModel
from accounts.services import user_register, user_update_profile
from common.errors import DomainError, ValidationFailed

from ..context import require_user
from ..mutations import DomainMutation
from ..throttling import check_auth_attempt, check_refresh_attempt
from .types import User


class RegisterInput(graphene.InputObjectType):
    email = graphene.String(required=True)
    password = graphene.String(required=True)
    first_name = graphene.String()
    last_name = graphene.String()


class Register(DomainMutation):
    """Create an account; then call tokenAuth to sign in."""

    class Arguments:
        input = RegisterInput(required=True)

    user = graphene.Field(User)

    @classmethod
    def perform(cls, info, *, email, password, first_name="", last_name=""):
        check_auth_attempt(info.context)
        user = user_register(
            email=email, password=password, first_name=first_name or "", last_name=last_name or ""
        )
        return {"user": user}


class TokenAuthInput(graphene.InputObjectType):
    email = graphene.String(required=True)
    password = graphene.String(required=True)


class TokenAuth(DomainMutation):
    """Exchange email and password for a JWT pair; send `Authorization: Bearer <access>`."""

    class Arguments:
        input = TokenAuthInput(required=True)

    access = graphene.String()
    refresh = graphene.String()

    @classmethod
    def perform(cls, info, *, email, password):
        check_auth_attempt(info.context)
        user = user_authenticate(request=info.context, email=email, password=password)
        refresh = RefreshToken.for_user(user)
        return {"access": str(refresh.access_token), "refresh": str(refresh)}


class RefreshTokenInput(graphene.InputObjectType):
    refresh = graphene.String(required=True)


class RefreshAccessToken(DomainMutation):
    """A new access token from a refresh token."""

    class Arguments:
        input = RefreshTokenInput(required=True)

    access = graphene.String()

    @classmethod
    def perform(cls, info, *, refresh):
        check_refresh_attempt(info.context)
        serializer = TokenRefreshSerializer(data={"refresh": refresh})
        try:
            serializer.is_valid(raise_exception=True)
        except (TokenError, APIException) as exc:  # expired, forged, blank, user gone
            raise DomainError("token_invalid", "The refresh token is invalid or expired.") from exc
        return {"access": serializer.validated_data["access"]}


def check_profile_value(name: str, value) -> None:
    """Refuse what REST's `PATCH me/` refuses, in DRF's words, before the core sees it."""
    if value is None:
        raise ValidationFailed("null", "This field may not be null.", name)
    limit = UserModel._meta.get_field(name).max_length
    if limit is not None and len(value) > limit:
        raise ValidationFailed(
            "too_long", f"Ensure this field has no more than {limit} characters.", name
        )


class UpdateMeInput(graphene.InputObjectType):
    first_name = graphene.String()
    last_name = graphene.String()
    phone = graphene.String()
    bio = graphene.String()


class UpdateMe(DomainMutation):
    """Change your own profile (REST's PATCH me/); fields left out keep their value."""

    class Arguments:
        input = UpdateMeInput(required=True)

    user = graphene.Field(User)

    @classmethod
    def perform(cls, info, **changes):
        user = require_user(info)
        for name, value in changes.items():
            check_profile_value(name, value)
        try:
            user = user_update_profile(user=user, **changes)
        except ValidationError:
            # The core's own checks (full_clean) run after it has set the fields on the request's
            # user: undo that, so a later mutation in the same document does not save them.
            user.refresh_from_db(fields=list(changes))
            raise
        return {"user": user}


class AccountMutations(graphene.ObjectType):
    register = Register.Field()
    update_me = UpdateMe.Field()
    token_auth = TokenAuth.Field()
    refresh_token = RefreshAccessToken.Field()
