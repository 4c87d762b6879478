"""Who is acting: the request user, an API token user, or a named system actor (tasks, commands).

The audit trail reads the current actor from a context variable, so it is correct per thread
and per Celery task. Use `acting_as(...)` around work done outside a request.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
from dataclasses import dataclass

from simple_history.models import HistoricalRecords

from .network import client_ip


@dataclass(frozen=True)
class Actor:
    user: object | None = None  # a User, or None for a system actor
    label: str = ""  # "user:<email>" or "system:<name>"
    ip: str | None = None


_current: contextvars.ContextVar[Actor | None] = contextvars.ContextVar("actor", default=None)


def user_actor(user, ip: str | None = None) -> Actor:
    return Actor(user=user, label=f"user:{user.email}", ip=ip)


def system_actor(name: str) -> Actor:
    return Actor(user=None, label=f"system:{name}")


def current_actor() -> Actor | None:
    return _current.get()


@contextlib.contextmanager
def acting_as(actor_or_user, ip: str | None = None):
    """Attribute every change inside the block to `actor_or_user` (an Actor, a User, or a
    system actor name as str)."""
    if isinstance(actor_or_user, str):
        actor = system_actor(actor_or_user)
    elif isinstance(actor_or_user, Actor):
        actor = actor_or_user
    else:
        actor = user_actor(actor_or_user, ip)
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)


def set_request_actor(request, user) -> None:
    """Record `user` as the actor of the current request (called by API authentication, which
    happens after the middleware ran)."""
    _current.set(user_actor(user, client_ip(request)))


class ActorMiddleware:
    """Makes the session user (back-office) the actor for the whole request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        ip = client_ip(request)
        actor = user_actor(user, ip) if user and user.is_authenticated else Actor(ip=ip)
        token = _current.set(actor)
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)


def history_user(instance=None, request=None, **kwargs):
    """simple-history's get_user hook: explicit instance user, else the context's actor."""
    explicit = getattr(instance, "_history_user", None)
    if explicit is not None:
        return explicit
    actor = current_actor()
    if actor is not None and actor.user is not None and actor.user.is_authenticated:
        return actor.user
    request = request or getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    return None


def attributed_to(param: str):
    """Decorate a service so its writes are recorded as done by its `param` keyword (the acting
    user) when nobody else is on record: a service called from a shell, a test or a script
    still leaves a named actor. A request's user or a task's system actor, already on record,
    is kept."""

    def decorate(service):
        @functools.wraps(service)
        def wrapper(*args, **kwargs):
            user = kwargs.get(param)
            current = current_actor()
            if user is None or not getattr(user, "is_authenticated", False):
                return service(*args, **kwargs)
            if current is not None and (current.user is not None or current.label):
                return service(*args, **kwargs)
            with acting_as(user, ip=current.ip if current else None):
                return service(*args, **kwargs)

        return wrapper

    return decorate
