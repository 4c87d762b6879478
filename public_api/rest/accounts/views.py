"""Registration, JWT tokens and the caller's profile."""

from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt import views as jwt_views
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.authentication import user_authenticate
from accounts.services import user_register, user_update_profile
from public_api.common.throttling import (
    AnonThrottle,
    AuthThrottle,
    RefreshThrottle,
    UserThrottle,
)
from public_api.rest.openapi import with_errors

from .serializers import Me, RegisteredUser, RegisterInput, TokenInput, TokenPair

# Login and registration add the strict per-IP "auth" rate to the usual ones; refreshing a
# token has its own looser per-IP rate, so a client's refreshes never lock its user out of login.
AUTH_THROTTLES = [AuthThrottle, AnonThrottle, UserThrottle]
REFRESH_THROTTLES = [RefreshThrottle, AnonThrottle, UserThrottle]


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
        data = RegisterInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_register(**data.validated_data)
        return Response(RegisteredUser(user).data, status=status.HTTP_201_CREATED)


class TokenObtainView(APIView):
    """Exchange email and password for an access and a refresh token.

    Wrong credentials are a 401 `invalid_credentials`; too many failures for the account or
    from the address a 429 `locked_out` with `Retry-After` (the same for unknown emails)."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes = AUTH_THROTTLES

    @extend_schema(
        operation_id="auth_token",
        request=TokenInput,
        responses=with_errors({200: TokenPair}, 400, 401),
        auth=[],
    )
    def post(self, request):
        data = TokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_authenticate(request=request._request, **data.validated_data)
        refresh = RefreshToken.for_user(user)
        return Response({"access": str(refresh.access_token), "refresh": str(refresh)})


class TokenRefreshView(jwt_views.TokenRefreshView):
    """Exchange a refresh token for a new access token."""

    throttle_classes = REFRESH_THROTTLES

    @extend_schema(operation_id="auth_token_refresh", auth=[])
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


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
