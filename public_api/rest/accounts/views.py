"""Registration, JWT tokens and the caller's profile."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from accounts.authentication import user_authenticate
from accounts.services import (
    password_reset_confirm,
    password_reset_request,
    user_change_password,
    user_register,
    user_update_profile,
)
from accounts.tokens import token_pair_for, token_refresh, token_revoke
from public_api.common.throttling import (
    AnonThrottle,
    AuthThrottle,
    RefreshThrottle,
    UserThrottle,
)
from public_api.rest.openapi import with_errors

from .serializers import (
    Detail,
    Me,
    PasswordChangeInput,
    PasswordResetConfirmInput,
    PasswordResetInput,
    RefreshInput,
    RegisteredUser,
    RegisterInput,
    TokenInput,
    TokenPair,
)

# Login and registration add the strict per-IP "auth" rate to the usual ones; refreshing a
# token has its own looser per-IP rate, so a client's refreshes never lock its user out of login.
AUTH_THROTTLES = [AuthThrottle, AnonThrottle, UserThrottle]
REFRESH_THROTTLES = [RefreshThrottle, AnonThrottle, UserThrottle]


class AnonymousAuthView(APIView):
    """An account endpoint for callers without a session: no credentials are read (a stale
    token must not block logging in again), and the strict per-IP login rate applies."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes = AUTH_THROTTLES


def validated(serializer_class: type[Serializer], request: Request) -> dict[str, Any]:
    """The request body checked by `serializer_class` (a 400 naming each field otherwise)."""
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


class RegisterView(APIView):
    permission_classes = [permissions.AllowAny]
    throttle_classes = AUTH_THROTTLES

    @extend_schema(
        operation_id="auth_register",
        request=RegisterInput,
        responses=with_errors({201: RegisteredUser}, 400),
        auth=[],
    )
    def post(self, request):
        data = validated(RegisterInput, request)
        user = user_register(**data)
        return Response(RegisteredUser(user).data, status=status.HTTP_201_CREATED)


class TokenObtainView(AnonymousAuthView):
    """Exchange email and password for an access and a refresh token.

    Wrong credentials are a 401 `invalid_credentials`; too many failures for the account or
    from the address a 429 `locked_out` with `Retry-After` (the same for unknown emails)."""

    @extend_schema(
        operation_id="auth_token",
        request=TokenInput,
        responses=with_errors({200: TokenPair}, 400, 401),
        auth=[],
    )
    def post(self, request):
        data = validated(TokenInput, request)
        user = user_authenticate(request=request._request, **data)
        return Response(token_pair_for(user))


class TokenRefreshView(AnonymousAuthView):
    """Exchange a refresh token for a new access AND refresh token (rotation: the refresh token
    sent stops working, so keep the new one)."""

    throttle_classes = REFRESH_THROTTLES

    @extend_schema(
        operation_id="auth_token_refresh",
        request=RefreshInput,
        responses=with_errors({200: TokenPair}, 400, 401),
        auth=[],
    )
    def post(self, request):
        data = validated(RefreshInput, request)
        return Response(token_refresh(data["refresh"]))


class LogoutView(AnonymousAuthView):
    """Log out: the refresh token is revoked (the access token expires within minutes)."""

    throttle_classes = REFRESH_THROTTLES

    @extend_schema(
        operation_id="auth_logout",
        request=RefreshInput,
        responses=with_errors({204: None}, 400, 401),
        auth=[],
    )
    def post(self, request):
        data = validated(RefreshInput, request)
        token_revoke(data["refresh"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordChangeView(APIView):
    """Change your password. Every token issued before stops working; the answer carries a new
    pair for this client."""

    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = AUTH_THROTTLES

    @extend_schema(
        operation_id="auth_password_change",
        request=PasswordChangeInput,
        responses=with_errors({200: TokenPair}, 400, 401),
    )
    def post(self, request):
        data = validated(PasswordChangeInput, request)
        user = user_change_password(user=request.user, **data)
        return Response(token_pair_for(user))


RESET_SENT = (
    "If an account uses this address, an email with a reset link is on its way. The link is "
    "valid for a limited time."
)


class PasswordResetView(AnonymousAuthView):
    """Ask for a password reset email. The answer is the same whether the address has an
    account or not."""

    @extend_schema(
        operation_id="auth_password_reset",
        request=PasswordResetInput,
        responses=with_errors({202: Detail}, 400),
        auth=[],
    )
    def post(self, request):
        data = validated(PasswordResetInput, request)
        password_reset_request(email=data["email"])
        return Response({"detail": RESET_SENT}, status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmView(AnonymousAuthView):
    """Set a new password with the uid and token from the reset email; every earlier token of
    the account is revoked."""

    @extend_schema(
        operation_id="auth_password_reset_confirm",
        request=PasswordResetConfirmInput,
        responses=with_errors({200: Detail}, 400),
        auth=[],
    )
    def post(self, request):
        data = validated(PasswordResetConfirmInput, request)
        password_reset_confirm(**data)
        return Response({"detail": "Your password is changed. Log in with the new one."})


class MeView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(operation_id="me_retrieve", responses=with_errors({200: Me}, 401))
    def get(self, request):
        return Response(Me(request.user).data)

    @extend_schema(
        operation_id="me_update",
        request=Me(partial=True),
        responses=with_errors({200: Me}, 400, 401),
    )
    def patch(self, request):
        data = Me(request.user, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        user = user_update_profile(user=request.user, **data.validated_data)
        return Response(Me(user).data)
