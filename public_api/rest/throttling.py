"""Throttles whose rates are read from settings at request time.

DRF's stock throttles copy DEFAULT_THROTTLE_RATES when their class is defined, so a test (or an
operator) could not change them without a restart. These read `settings.API_THROTTLE_RATES`
on every request: tests pin generous rates, and the throttle tests pin strict ones.
"""

from django.conf import settings
from rest_framework import throttling


class _SettingsRate:
    scope: str

    def get_rate(self):
        return settings.API_THROTTLE_RATES.get(self.scope)


class AnonThrottle(_SettingsRate, throttling.AnonRateThrottle):
    """Anonymous callers, per client IP."""


class UserThrottle(_SettingsRate, throttling.UserRateThrottle):
    """Signed-in callers, per user (anonymous ones fall back to the IP)."""


class AuthThrottle(_SettingsRate, throttling.SimpleRateThrottle):
    """Login and registration, per client IP whoever is signed in: a brute-force guard."""

    scope = "auth"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
