"""The read cache: versioned keys, invalidation on write and on commit, no stampede.

- A *token* (`cache_token(name)`) is a random string stored without expiry; `cache_bump(...)`
  replaces it. Cached reads put the tokens they depend on in their key, so a bump makes every
  older entry unreachable at once (nothing to find and delete). A write bumps twice: at once,
  and again after its transaction commits, because a read that ran between the two (on the
  old data) may have stored its result under the first new token.
- `cached_read(key, build, timeout)`: a fresh entry is returned; an entry past `timeout` is
  rebuilt by the one caller that takes a short lock while the others keep getting the previous
  value (stale for at most a rebuild); a missing entry is built by the lock holder while the
  others wait briefly for it, then build it themselves.
- Entries are built on the primary database even in views that may read a replica (a lagging
  replica read stored under a new token would outlive the lag). READ_CACHE_ENABLED=false turns
  the cache off (every read is built, as the router decides).
- With Redis unreachable, django-redis (IGNORE_EXCEPTIONS) answers every read with a miss and
  drops writes: every read is built from the database, nothing waits on a lock.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from .replicas import primary_reads

LOCK_SECONDS = 10  # a rebuild that takes longer lets another caller try
WAIT_SECONDS = 2.0  # how long a caller waits for someone else's first build


def cache_token(name: str) -> str:
    key = f"token:{name}"
    token = cache.get(key)
    if token is None:
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


def cached_read(key: str, build: Callable[[], Any], timeout: int) -> Any:
    if not settings.READ_CACHE_ENABLED:
        return build()
    now = time.time()
    entry = cache.get(key)
    if entry is not None and entry[0] > now:
        return entry[1]
    lock_key = f"{key}:lock"
    locked = cache.add(lock_key, 1, LOCK_SECONDS)
    if locked is False:  # someone else is rebuilding it (None: the cache is down)
        if entry is not None:
            return entry[1]  # the previous value while it is rebuilt
        deadline = now + WAIT_SECONDS
        while time.time() < deadline:
            time.sleep(0.05)
            entry = cache.get(key)
            if entry is not None:
                return entry[1]
    try:
        with primary_reads():  # never cache what a lagging replica says
            value = build()
        cache_store(key, value, timeout)
        return value
    finally:
        if locked:
            cache.delete(lock_key)


def cache_store(key: str, value: Any, timeout: int) -> None:
    """Store what `cached_read(key, ...)` returns (a scheduled refresh computes it ahead of
    time). Kept twice as long as it is fresh: the second half serves callers during a rebuild."""
    cache.set(key, (time.time() + timeout, value), timeout * 2)
