import graphene
from django.core.exceptions import ValidationError

from accounts.authentication import user_authenticate
from accounts.services import (
    password_reset_confirm,
    password_reset_request,
    user_change_password,
    user_register,
    user_update_profile,
)
from accounts.tokens import token_pair_for, token_refresh, token_revoke

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
        return token_pair_for(user)


class RefreshTokenInput(graphene.InputObjectType):
    refresh = graphene.String(required=True)


class RefreshAccessToken(DomainMutation):
    """A new access and refresh token from a refresh token, which stops working (rotation)."""

    class Arguments:
        input = RefreshTokenInput(required=True)

    access = graphene.String()
    refresh = graphene.String()

    @classmethod
    def perform(cls, info, *, refresh):
        check_refresh_attempt(info.context)
        return token_refresh(refresh)


class Logout(DomainMutation):
    """Revoke a refresh token (REST's `auth/logout/`)."""

    class Arguments:
        input = RefreshTokenInput(required=True)

    ok = graphene.Boolean()

    @classmethod
    def perform(cls, info, *, refresh):
        check_refresh_attempt(info.context)
        token_revoke(refresh)
        return {"ok": True}


class ChangePasswordInput(graphene.InputObjectType):
    old_password = graphene.String(required=True)
    new_password = graphene.String(required=True)


class ChangePassword(DomainMutation):
    """Change your password; every earlier token stops working, a new pair is returned."""

    class Arguments:
        input = ChangePasswordInput(required=True)

    access = graphene.String()
    refresh = graphene.String()

    @classmethod
    def perform(cls, info, *, old_password, new_password):
        user = require_user(info)
        check_auth_attempt(info.context)
        user = user_change_password(user=user, old_password=old_password, new_password=new_password)
        return token_pair_for(user)


class RequestPasswordResetInput(graphene.InputObjectType):
    email = graphene.String(required=True)


class RequestPasswordReset(DomainMutation):
    """Email a reset link if the address has an account; the answer is the same either way."""

    class Arguments:
        input = RequestPasswordResetInput(required=True)

    ok = graphene.Boolean()

    @classmethod
    def perform(cls, info, *, email):
        check_auth_attempt(info.context)
        password_reset_request(email=email)
        return {"ok": True}


class ResetPasswordInput(graphene.InputObjectType):
    uid = graphene.String(required=True)
    token = graphene.String(required=True)
    new_password = graphene.String(required=True)


class ResetPassword(DomainMutation):
    """Set a new password with the uid and token from the reset email."""

    class Arguments:
        input = ResetPasswordInput(required=True)

    ok = graphene.Boolean()

    @classmethod
    def perform(cls, info, *, uid, token, new_password):
        check_auth_attempt(info.context)
        password_reset_confirm(uid=uid, token=token, new_password=new_password)
        return {"ok": True}


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
    logout = Logout.Field()
    change_password = ChangePassword.Field()
    request_password_reset = RequestPasswordReset.Field()
    reset_password = ResetPassword.Field()
