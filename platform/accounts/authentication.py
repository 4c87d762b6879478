"""Signing in with email and password, for every interface, behind django-axes' lockout.

REST (`auth/token/`), GraphQL (`tokenAuth`) and the back-office login all end in
`django.contrib.auth.authenticate`, where django-axes counts failures per account and per
client address (settings: AXES_*). The APIs call `user_authenticate`, which turns the outcome
into the core's refusals:

- wrong password, unknown or inactive account: `invalid_credentials`, one message for all;
- account or address locked: `locked_out` with the seconds to wait, whether or not the
  account exists (axes counts unknown emails like real ones).
"""

from __future__ import annotations

import math

from axes.backends import AxesStandaloneBackend
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django.contrib.auth import authenticate

from common.errors import DomainError

from .models import MAX_EMAIL_LENGTH


class InvalidCredentials(DomainError):
    kind = "unauthenticated"

    def __init__(self):
        super().__init__(
            "invalid_credentials", "No active account found with the given credentials."
        )


class LockedOut(DomainError):
    kind = "locked"

    def __init__(self, retry_after: int):
        super().__init__(
            "locked_out",
            f"Too many failed logins. Try again in {retry_after} seconds.",
        )
        self.retry_after = retry_after


class LockoutBackend(AxesStandaloneBackend):
    """axes' lockout check for every login that comes with a request (all HTTP logins do).

    axes refuses calls without a request outright; those come only from code on the server
    (a shell, `Client.login` in tests), which no attacker reaches, so they are let through to
    the next backend instead."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def login_identity(request, credentials: dict | None) -> str | None:
    """The account a login attempt names, as axes counts it: the email (REST and GraphQL pass
    `email`, the back-office form `username`), trimmed and lower-cased as accounts store it,
    so "Guest@Example.com " is the same account as "guest@example.com"."""
    value = None
    if credentials:
        value = credentials.get("email") or credentials.get("username")
    if value is None and request is not None and hasattr(request, "POST"):
        value = request.POST.get("username") or request.POST.get("email")
    if not isinstance(value, str):
        return None
    return value.strip().lower()[: MAX_EMAIL_LENGTH + 1] or None


def lockout_seconds(request) -> int:
    cool_off = get_cool_off(request)
    return max(1, math.ceil(cool_off.total_seconds())) if cool_off else 3600


def user_authenticate(*, request, email: str, password: str):
    """The active user with this email and password, or InvalidCredentials / LockedOut."""
    user = authenticate(request, email=email, password=password)
    if user is not None:
        return user
    locked = getattr(request, "axes_locked_out", False) or AxesProxyHandler.is_locked(
        request, {"email": email}
    )
    # Answered here as a refusal of the API; the axes middleware only shapes back-office pages.
    request.axes_locked_out = False
    if locked:
        raise LockedOut(lockout_seconds(request))
    raise InvalidCredentials()
