"""The read cache: versioned keys, invalidation on write and on commit, no stampede.

- A *token* (`cache_token(name)`) is a random string stored without expiry; `cache_bump(...)`
  replaces it. Cached reads put the tokens they depend on in their key, so a bump makes every
  older entry unreachable at once (nothing to find and delete). A write bumps twice: at once,
  and again after its transaction commits, because a read that ran between the two (on the
  old data) may have stored its result under the first new token.
- `cached_read(key, build, timeout)`: a fresh entry is returned; an entry past `timeout` is
  rebuilt by the one caller that takes a short lock while the others keep getting the previous
  value (stale for at most a rebuild); a missing entry is built by the lock holder while the
  others wait briefly for it, then build it themselves. The lock holder stores the entry and
  releases the lock in one round trip.
- `cached_read(key, build, timeout, tokens=names)`: the same, with the entry kept under a key
  without the tokens and stamped with their values when it was built. The tokens and the
  entry are read together (one MGET: a hit is one round trip, not one per token plus one); an
  entry whose stamp is not the tokens' current values is treated as missing, never served, so
  a bump invalidates it exactly as it does a key that names the token. A token nobody has set
  yet reads as `UNSET` (nothing to create on the read path): any bump sets a random value, which
  invalidates whatever was stamped before it.
- `read_keys(key, tokens)` names what `cached_read` reads first; a caller that makes a round
  trip anyway (the request throttles) can fetch them with it and pass them as `found=`.
- Entries are built on the primary database even in views that may read a replica (a lagging
  replica read stored under a new token would outlive the lag). READ_CACHE_ENABLED=false turns
  the cache off (every read is built, as the router decides).
- With Redis unreachable, django-redis (IGNORE_EXCEPTIONS) answers every read with a miss and
  drops writes: every read is built from the database, nothing waits on a lock.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from redis.exceptions import RedisError

from .replicas import primary_reads

logger = logging.getLogger(__name__)

LOCK_SECONDS = 10  # a rebuild that takes longer lets another caller try
WAIT_SECONDS = 2.0  # how long a caller waits for someone else's first build
UNSET = "0"  # the stamp part of a token never set (a bump sets 12 hex characters)


def cache_token(name: str) -> str:
    return cache.get(f"token:{name}") or _token_created(name)


def _token_created(name: str) -> str:
    """The token of `name`, which had none when the caller looked."""
    key = f"token:{name}"
    token = uuid.uuid4().hex[:12]
    if not cache.add(key, token, None):  # someone set it first (or the cache is down)
        token = cache.get(key) or token
    return token


def cache_bump(*names: str) -> None:
    """Make every entry that depends on these tokens unreachable, now and after commit."""

    def bump():
        cache.set_many({f"token:{name}": uuid.uuid4().hex[:12] for name in names}, None)

    bump()
    transaction.on_commit(bump)


def digest(value: Any) -> str:
    """A short stable key part for a dict or dataclass of query parameters."""
    text = json.dumps(value, sort_keys=True, default=str)
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:16]


def read_keys(key: str, tokens: Sequence[str] = ()) -> list[str]:
    """The cache keys `cached_read(key, ..., tokens=tokens)` reads first (as `cache.get_many`
    takes them), for a caller that can fetch them in a round trip it makes anyway."""
    return [*(f"token:{name}" for name in tokens), key]


def cached_read(
    key: str,
    build: Callable[[], Any],
    timeout: int,
    *,
    tokens: Sequence[str] = (),
    found: Mapping[str, Any] | None = None,
) -> Any:
    """`found`: what `cache.get_many(read_keys(key, tokens))` returned moments ago, read with
    another round trip; the first read then costs none."""
    if not settings.READ_CACHE_ENABLED:
        return build()
    now = time.time()
    stamp, entry = _read(key, tokens, found)
    if entry is not None and entry[0] > now:
        return entry[1]
    # The stamp is in the lock's name: a build for the tokens' previous values never holds
    # up one for their current values (as when the tokens were in the entry's own key).
    lock_key = f"{key}:{stamp}:lock" if tokens else f"{key}:lock"
    locked = cache.add(lock_key, 1, LOCK_SECONDS)
    if locked is False:  # someone else is rebuilding it (None: the cache is down)
        if entry is not None:
            return entry[1]  # the previous value while it is rebuilt
        deadline = now + WAIT_SECONDS
        while time.time() < deadline:
            time.sleep(0.05)
            _, entry = _read(key, tokens)
            if entry is not None:
                return entry[1]
    try:
        with primary_reads():  # never cache what a lagging replica says
            value = build()
    except BaseException:
        if locked:
            cache.delete(lock_key)
        raise
    _store_and_unlock(key, _entry(value, timeout, stamp), timeout * 2, lock_key if locked else None)
    return value


def _read(
    key: str, tokens: Sequence[str], found: Mapping[str, Any] | None = None
) -> tuple[str, tuple | None]:
    """The tokens' current values (joined: the stamp) and the entry if it was built for them,
    in one round trip (none when the caller read them already: `found`)."""
    keys = read_keys(key, tokens)
    if found is None:
        found = cache.get_many(keys) if tokens else {key: cache.get(key)}
    entry = found.get(key)
    if not tokens:
        return "", entry
    stamp = ":".join(found.get(token_key) or UNSET for token_key in keys[:-1])
    if entry is not None and (len(entry) < 3 or entry[2] != stamp):
        entry = None  # built for other values of the tokens: invalidated since
    return stamp, entry


def _entry(value: Any, timeout: int, stamp: str) -> tuple:
    return (time.time() + timeout, value, stamp) if stamp else (time.time() + timeout, value)


def _store_and_unlock(key: str, entry: tuple, ttl: int, lock_key: str | None) -> None:
    """`cache.set(key, entry, ttl)` then `cache.delete(lock_key)`, in one round trip on Redis
    (a pipeline). Like django-redis with IGNORE_EXCEPTIONS, a lost Redis drops the write."""
    client: Any = getattr(cache, "client", None)
    if lock_key is None or not hasattr(client, "get_client"):  # not django-redis
        cache.set(key, entry, ttl)
        if lock_key is not None:
            cache.delete(lock_key)
        return
    try:
        pipeline = client.get_client(write=True).pipeline(transaction=False)
        client.set(key, entry, ttl, client=pipeline)
        client.delete(lock_key, client=pipeline)
        pipeline.execute()
    except (RedisError, OSError):
        if not getattr(cache, "_ignore_exceptions", False):
            raise
        logger.warning("read cache: storing %s failed, Redis unreachable", key, exc_info=True)


def cache_store(key: str, value: Any, timeout: int) -> None:
    """Store what `cached_read(key, ...)` returns (a scheduled refresh computes it ahead of
    time). Kept twice as long as it is fresh: the second half serves callers during a rebuild."""
    cache.set(key, _entry(value, timeout, ""), timeout * 2)
