"""Read replicas: reads that tolerate a little lag go to the `replica` database, if one is set.

With `DATABASE_REPLICA_URL` set (settings add the `replica` alias), three rules decide:

1. Only the views named in `settings.REPLICA_READ_VIEWS` (search, listing detail, public
   reviews, the back-office dashboard), and only for GET/HEAD, may read from the replica.
   Everything else (idempotency look-ups, availability and quotes before booking, the
   booking list, every write) uses the primary, as without a replica.
2. Within a request, once anything was written, or inside a transaction, every read goes to
   the primary: a view never reads its own write from a replica that has not seen it yet.
3. Read your own writes across requests: a request that wrote pins its client (the session
   cookie or the bearer token, hashed) to the primary for `REPLICA_PIN_SECONDS` (the
   replica's worst acceptable lag), through the shared cache. Other clients keep reading
   the replica meanwhile.

Without a replica the router answers None everywhere and Django uses `default` as usual.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
PIN_PREFIX = "replica-pin:"

_replica_reads = contextvars.ContextVar("replica_reads", default=False)
_wrote = contextvars.ContextVar("wrote", default=False)


@contextlib.contextmanager
def primary_reads():
    """Every read inside the block goes to the primary (the read cache builds its entries
    there: an entry stored under a version token must not be older than that version)."""
    token = _replica_reads.set(False)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def replica_configured() -> bool:
    return REPLICA in connections.settings


# Who is asking is always read from the primary: a user who registered a moment ago must be
# able to use their token, and a session must never be stale.
PRIMARY_ONLY_MODELS = {settings.AUTH_USER_MODEL.lower(), "sessions.session"}


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if (
            _replica_reads.get()
            and model._meta.label_lower not in PRIMARY_ONLY_MODELS
            and not _wrote.get()
            and replica_configured()
            and not connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        _wrote.set(True)
        return None

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two copies of it

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA  # the replica follows the primary, never migrated itself


def _client_key(request) -> str | None:
    credential = request.headers.get("Authorization") or request.COOKIES.get(
        settings.SESSION_COOKIE_NAME
    )
    if not credential:
        return None
    return PIN_PREFIX + hashlib.sha256(credential.encode()).hexdigest()


class ReplicaMiddleware:
    """Turns replica reads on for the listed views, and pins a client after its writes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_configured():
            return self.get_response(request)
        wrote_token = _wrote.set(False)
        reads_token = _replica_reads.set(False)
        try:
            response = self.get_response(request)
            wrote = _wrote.get()
        finally:
            _wrote.reset(wrote_token)
            _replica_reads.reset(reads_token)
        key = _client_key(request)
        if wrote and key:
            cache.set(key, 1, settings.REPLICA_PIN_SECONDS)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not replica_configured() or request.method not in ("GET", "HEAD"):
            return None
        match = request.resolver_match
        if match is None or match.view_name not in settings.REPLICA_READ_VIEWS:
            return None
        key = _client_key(request)
        if key and cache.get(key):
            return None  # this client wrote moments ago: read it back from the primary
        _replica_reads.set(True)
        return None
