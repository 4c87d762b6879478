"""JWTs for the REST and GraphQL APIs (djangorestframework-simplejwt), revocable.

- Every login gets a refresh token that is recorded (token_blacklist's OutstandingToken).
- Refreshing rotates: the old refresh token is blacklisted in the same step and a new pair is
  returned, so a stolen refresh token works at most once, and its reuse is refused.
- Logging out blacklists the refresh token.
- A password change or reset blacklists every refresh token of the user, and access tokens
  carry a hash of the password hash (simplejwt's CHECK_REVOKE_TOKEN): once the password
  changes, no token issued before works, access tokens included.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import get_md5_hash_password

from common.errors import DomainError

from .models import User


class TokenInvalid(DomainError):
    kind = "unauthenticated"

    def __init__(self):
        super().__init__("token_invalid", "The refresh token is invalid, expired or revoked.")


def token_pair_for(user: User) -> dict:
    refresh = RefreshToken.for_user(user)
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def _valid_refresh(raw) -> tuple[RefreshToken, User]:
    """The refresh token and its user, or TokenInvalid (bad signature, expired, blacklisted,
    user gone or inactive, password changed since it was issued)."""
    if not isinstance(raw, str) or not raw or len(raw) > 4096:
        raise TokenInvalid()
    try:
        refresh = RefreshToken(raw)  # signature, expiry, type and the blacklist
    except TokenError as exc:
        raise TokenInvalid() from exc
    try:
        user = User.objects.get(pk=refresh.get(api_settings.USER_ID_CLAIM), is_active=True)
    except (User.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise TokenInvalid() from exc  # a signed token naming nobody (or not a UUID)
    if refresh.get(api_settings.REVOKE_TOKEN_CLAIM) != get_md5_hash_password(user.password):
        raise TokenInvalid()
    return refresh, user


def _blacklist_once(refresh: RefreshToken) -> None:
    """Blacklist the token; if someone else just did (a concurrent refresh of the same token,
    i.e. a replay), refuse."""
    jti = refresh.get(api_settings.JTI_CLAIM)
    outstanding = OutstandingToken.objects.filter(jti=jti).first()
    if outstanding is None:
        raise TokenInvalid()  # issued before the blacklist existed: cannot be tracked
    try:
        with transaction.atomic():
            _, created = BlacklistedToken.objects.get_or_create(token=outstanding)
    except IntegrityError as exc:
        raise TokenInvalid() from exc
    if not created:
        raise TokenInvalid()


@transaction.atomic
def token_refresh(raw) -> dict:
    """A new access and refresh token; the given refresh token stops working."""
    refresh, user = _valid_refresh(raw)
    _blacklist_once(refresh)
    return token_pair_for(user)


@transaction.atomic
def token_revoke(raw) -> None:
    """Log out: the refresh token stops working (access tokens expire within minutes)."""
    refresh, _user = _valid_refresh(raw)
    _blacklist_once(refresh)


def tokens_revoke_all(user: User) -> int:
    """Blacklist every refresh token of `user` not yet blacklisted; returns how many."""
    pending = OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True)
    rows = [BlacklistedToken(token=token) for token in pending]
    BlacklistedToken.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def tokens_flush_expired() -> int:
    """Forget refresh tokens past their expiry (and their blacklist rows): they cannot be used
    anyway. What simplejwt's `flushexpiredtokens` command does, on schedule."""
    deleted, _ = OutstandingToken.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted
