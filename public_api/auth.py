"""JWT bearer authentication shared by the REST and GraphQL APIs.

Both APIs accept `Authorization: Bearer <access token>` (djangorestframework-simplejwt). API
authentication happens after the middleware ran, so the audit trail's actor (set by
`common.actor.ActorMiddleware` from the session) would be anonymous: every successful bearer
authentication therefore records the user as the request's actor as well.

- REST: `JWTActorAuthentication` is the DRF authentication class (see settings.api).
- GraphQL (or any plain Django view): `authenticate_bearer(request)` returns the user or None,
  and raises `BearerTokenInvalid` for a header that is present but unusable.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken, TokenError

from common.actor import set_request_actor


class BearerTokenInvalid(Exception):
    """The request carried a bearer token that is expired, forged, or names no active user."""

    def __init__(self, message: str = "The access token is invalid or expired."):
        super().__init__(message)
        self.message = message


class JWTActorAuthentication(JWTAuthentication):
    """simplejwt's bearer authentication that also records the user as the audit actor."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            set_request_actor(request, result[0])
        return result

    def get_user(self, validated_token):
        # A signed token whose user id is not a UUID must be a 401, not a 500 from the lookup.
        try:
            return super().get_user(validated_token)
        except (ValueError, ValidationError) as exc:
            raise InvalidToken("Token contained no recognizable user identification") from exc


_authenticator = JWTActorAuthentication()


def authenticate_bearer(request):
    """The user named by the request's bearer token, or None when there is no bearer token.

    Works on a plain Django `HttpRequest` (GraphQL view) as well as a DRF `Request`. On success
    the user is recorded as the request's actor for the audit trail. The caller decides what to
    do with the user (e.g. set `request.user`)."""
    try:
        result = _authenticator.authenticate(request)
    except (InvalidToken, AuthenticationFailed, TokenError) as exc:
        raise BearerTokenInvalid(_detail_text(exc)) from exc
    return None if result is None else result[0]


def _detail_text(exc) -> str:
    detail = getattr(exc, "detail", None)
    if isinstance(detail, dict):
        detail = detail.get("detail", "")
    return str(detail or exc) or BearerTokenInvalid().message
