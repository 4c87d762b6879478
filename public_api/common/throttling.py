"""Request throttles shared by the REST and GraphQL APIs, with rates read at request time.

DRF's stock throttles copy DEFAULT_THROTTLE_RATES when their class is defined, so a test (or an
operator) could not change them without a restart. These read `settings.API_THROTTLE_RATES`
on every request: tests pin generous rates, and the throttle tests pin strict ones.

The client's address is `common.network.client_ip` (REMOTE_ADDR unless TRUSTED_PROXY_COUNT
names trusted proxies), never DRF's X-Forwarded-For reading.

Both APIs use the same scopes and therefore the same cache keys: a client has one budget per
IP (anonymous) or per user, whichever API it calls, and cannot double it by mixing them.

- anon / user: every request (REST: DEFAULT_THROTTLE_CLASSES; GraphQL: the view's dispatch).
- auth: login and registration, per client IP whoever is signed in (a brute-force guard).
- refresh: exchanging a refresh token, per client IP; looser, since well-behaved clients do it
  every few minutes and a refresh token cannot be guessed like a password.
"""

import math

from django.conf import settings
from rest_framework import throttling

from common.network import client_ip


class _Batch:
    """The throttles consulted for one request, read in one cache round trip and written in
    one: the first throttle reads every history (`get_many`), each decides on its own history
    exactly as DRF's SimpleRateThrottle would, and the last one writes the changed histories
    (`set_many`, one pipeline per window length). Same counts and waits as four round trips."""

    def __init__(self, request, view, throttles: list) -> None:
        self.keys = {id(t): t.get_cache_key(request, view) for t in throttles if t.rate}
        self.pending = len(throttles)
        wanted = [key for key in self.keys.values() if key is not None]
        self.histories = throttles[0].cache.get_many(wanted) if wanted else {}
        self.writes: dict[str, tuple[list, int]] = {}

    def history(self, key: str) -> list:
        return list(self.histories.get(key, []))

    def done(self, throttle, recorded: bool) -> None:
        if recorded:
            self.histories[throttle.key] = throttle.history
            self.writes[throttle.key] = (throttle.history, throttle.duration)
        self.pending -= 1
        if self.pending == 0 and self.writes:
            by_window: dict[int, dict[str, list]] = {}
            for key, (history, duration) in self.writes.items():
                by_window.setdefault(duration, {})[key] = history
            for duration, values in by_window.items():
                throttle.cache.set_many(values, duration)


class _SettingsRate:
    scope: str

    def get_rate(self):
        return settings.API_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        classes = tuple(
            view.throttle_classes
            if view is not None
            else request.__dict__.get("_throttle_classes", (type(self),))
        )
        if type(self) not in classes:  # consulted on its own: DRF's reading and writing
            return super().allow_request(request, view)
        batches = request.__dict__.setdefault("_throttle_batches", {})
        batch = batches.get(classes)
        if batch is None or batch.pending == 0:
            ours = [c for c in classes if issubclass(c, _SettingsRate)]
            batch = batches[classes] = _Batch(request, view, [c() for c in ours])
        if self.rate is None:
            batch.done(self, False)
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            batch.done(self, False)
            return True
        self.history = batch.history(self.key)
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()
        if len(self.history) >= self.num_requests:
            batch.done(self, False)
            return self.throttle_failure()
        self.history.insert(0, self.now)
        batch.done(self, True)
        return True

    def get_ident(self, request):
        # DRF's own get_ident trusts X-Forwarded-For, which the client writes: a rotating
        # header bought a fresh budget per request. The project's one reading of the address.
        return client_ip(request) or "unknown"


class AnonThrottle(_SettingsRate, throttling.AnonRateThrottle):
    """Anonymous callers, per client IP."""


class UserThrottle(_SettingsRate, throttling.UserRateThrottle):
    """Signed-in callers, per user (anonymous ones fall back to the IP)."""


class _PerIPThrottle(_SettingsRate, throttling.SimpleRateThrottle):
    """One budget per client IP, whoever is signed in."""

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class AuthThrottle(_PerIPThrottle):
    """Login and registration."""

    scope = "auth"


class RefreshThrottle(_PerIPThrottle):
    """Exchanging a refresh token for an access token."""

    scope = "refresh"


REQUEST_THROTTLES = (AnonThrottle, UserThrottle)


def throttle_wait(request, throttle_classes) -> int | None:
    """Seconds the caller must wait, or None when every throttle lets the request through.

    Works on a plain Django request with `request.user` set (the GraphQL view, a mutation) as
    well as on a DRF request. Every throttle is consulted, as DRF does, so each one counts the
    request; the longest wait wins."""
    waits = []
    request._throttle_classes = tuple(throttle_classes)  # consulted together: see _Batch
    for throttle_class in throttle_classes:
        throttle = throttle_class()
        if not throttle.allow_request(request, None):
            waits.append(throttle.wait() or 1)
    return math.ceil(max(waits)) if waits else None
