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

The throttles consulted together decide in one cache round trip: on Redis, one Lua script keeps
each scope's window as a sorted set of request times (`_WindowScript`); on another cache, one
read and one write (`_Batch`). Either way each scope counts exactly as DRF's SimpleRateThrottle.
"""

import logging
import math
import uuid

from django.conf import settings
from redis.exceptions import RedisError
from rest_framework import throttling

from common.network import client_ip

logger = logging.getLogger(__name__)

# DRF's sliding window, kept in Redis: per scope (KEYS[1..n]; ARGV: now, a member name unique
# to this request, n, then each scope's duration and budget), drop the times at or before
# now - duration, and count this request when fewer than the budget remain. Returns each
# scope's count before this request and, when it refuses, its oldest time (what DRF's `wait`
# reads), then the values of the keys after the scopes' (the view's read-ahead, see
# `_WindowScript`).
WINDOW_LUA = """
local now = tonumber(ARGV[1])
local member = ARGV[2]
local scopes = tonumber(ARGV[3])
local answers = {}
for i = 1, scopes do
  local key = KEYS[i]
  local duration = tonumber(ARGV[2 + 2 * i])
  local budget = tonumber(ARGV[3 + 2 * i])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - duration)
  local count = redis.call('ZCARD', key)
  local oldest = ''
  if count < budget then
    redis.call('ZADD', key, ARGV[1], member)
    redis.call('PEXPIRE', key, math.ceil(duration * 1000))
  else  -- refused: DRF's wait reads the oldest time
    oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')[2] or ''
  end
  answers[i] = {count, oldest}
end
if #KEYS > scopes then
  answers[scopes + 1] = redis.call('MGET', unpack(KEYS, scopes + 1))
end
return answers
"""


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


class _WindowScript:
    """The throttles consulted for one request, decided by one Lua script call on Redis (see
    WINDOW_LUA): no history travels, nothing is pickled. Each throttle then reads its own
    scope's answer. A lost Redis lets requests through, as django-redis's IGNORE_EXCEPTIONS
    makes the other path do.

    A view that knows which cache keys it will read (`read_ahead(request)`, e.g. a signed-out
    listing's entry) has them read by the same call: its first cache read then costs no round
    trip of its own. They arrive as `request.read_ahead` ({key: value}, as `cache.get_many`
    answers); without it (another cache, Redis lost, a view without read-ahead) the view reads
    them itself."""

    @staticmethod
    def usable(cache) -> bool:
        return hasattr(getattr(cache, "client", None), "get_client")

    def __init__(self, request, view, throttles: list) -> None:
        self.pending = len(throttles)
        self.now = throttles[0].timer()
        self.answers: dict[str, tuple[int, float]] = {}
        # Each scope's key, worked out once (it reads the client's address)
        self.keys = {type(t): t.get_cache_key(request, view) if t.rate else None for t in throttles}
        scopes = {
            key: (throttle.duration, throttle.num_requests)
            for throttle in throttles
            if (key := self.keys[type(throttle)]) is not None
        }
        if scopes:
            reads = view.read_ahead(request) if hasattr(view, "read_ahead") else []
            self.answers = self._run(throttles[0].cache, scopes, request, reads)

    def _run(
        self, cache, scopes: dict[str, tuple[int, int]], request, reads: list[str]
    ) -> dict[str, tuple[int, float]]:
        args: list = [repr(self.now), f"{self.now!r}:{uuid.uuid4().hex[:8]}", len(scopes)]
        for duration, budget in scopes.values():
            args += [duration, budget]
        keys = [str(cache.make_key(f"{key}:window")) for key in scopes]
        keys += [str(cache.make_key(key)) for key in reads]
        try:
            client = cache.client.get_client(write=True)
            answers = client.register_script(WINDOW_LUA)(keys=keys, args=args, client=client)
        except (RedisError, OSError):
            if not getattr(cache, "_ignore_exceptions", False):
                raise
            logger.warning("throttles: Redis unreachable, request let through", exc_info=True)
            return {}
        if reads:
            values = answers.pop()
            request.read_ahead = {
                key: cache.client.decode(value)
                for key, value in zip(reads, values, strict=True)
                if value is not None
            }
        return {
            key: (int(count), float(oldest) if oldest else self.now)
            for key, (count, oldest) in zip(scopes, answers, strict=True)
        }

    def allow(self, throttle) -> bool:
        self.pending -= 1
        throttle.key = self.keys.get(type(throttle))
        if throttle.rate is None or throttle.key is None:
            return True
        throttle.now = self.now
        throttle.window = self.answers.get(throttle.key, (0, self.now))
        return throttle.window[0] < throttle.num_requests


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
            kind = _WindowScript if _WindowScript.usable(self.cache) else _Batch
            batch = batches[classes] = kind(request, view, [c() for c in ours])
        if isinstance(batch, _WindowScript):
            return batch.allow(self)
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

    window: tuple[int, float] | None = None  # (count, oldest time) when _WindowScript decided

    def wait(self):
        if self.window is None:
            return super().wait()
        # DRF's wait, read from the scope's count and oldest time instead of its history
        count, oldest = self.window
        remaining_duration = self.duration - (self.now - oldest) if count else self.duration
        available_requests = self.num_requests - count + 1
        if available_requests <= 0:
            return None
        return remaining_duration / float(available_requests)

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
