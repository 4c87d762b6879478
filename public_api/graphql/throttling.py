"""A brute-force guard for tokenAuth and register, the same rate as REST's login ("auth" in
REST_FRAMEWORK's throttle rates) and the same cache key, so guessing passwords through both
APIs at once counts against one budget per client IP."""

import math

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from common.errors import DomainError


class Throttled(DomainError):
    kind = "throttled"

    def __init__(self, wait_seconds: float | None):
        wait = math.ceil(wait_seconds or 1)
        super().__init__("throttled", f"Too many attempts. Try again in {wait} seconds.")
        self.wait_seconds = wait


class AuthAttemptThrottle(SimpleRateThrottle):
    scope = "auth"

    def get_rate(self):
        # Read on each use (not at import) so settings overrides apply.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def check_auth_attempt(request) -> None:
    throttle = AuthAttemptThrottle()
    if not throttle.allow_request(request, None):
        raise Throttled(throttle.wait())
