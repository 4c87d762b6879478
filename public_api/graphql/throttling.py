"""Throttling of GraphQL requests, with REST's scopes and rates (settings.API_THROTTLE_RATES).

- Every request: the anonymous (per IP) and user (per user) rates, checked by the view before
  the query is parsed; a throttled request is an HTTP 429 with `Retry-After`.
- `register` and `tokenAuth`: also the strict per-IP "auth" rate, with REST's cache key, so
  guessing passwords through both APIs at once counts against one budget. That refusal is a
  mutation error (`code: "throttled"`), since the request itself was fine.
- `refreshToken`: REST's looser per-IP "refresh" rate, same key as `auth/token/refresh/`.
"""

from common.errors import DomainError
from public_api.common.throttling import AuthThrottle, RefreshThrottle, throttle_wait


class Throttled(DomainError):
    kind = "throttled"

    def __init__(self, wait_seconds: int):
        super().__init__("throttled", f"Too many attempts. Try again in {wait_seconds} seconds.")
        self.wait_seconds = wait_seconds


def check_auth_attempt(request) -> None:
    wait = throttle_wait(request, [AuthThrottle])
    if wait is not None:
        raise Throttled(wait)


def check_refresh_attempt(request) -> None:
    wait = throttle_wait(request, [RefreshThrottle])
    if wait is not None:
        raise Throttled(wait)
