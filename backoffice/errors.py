"""The one place where the core's DomainError becomes something a back-office user reads."""

from collections.abc import Callable, Iterable

from django.contrib import messages

from common.errors import DomainError


def domain_error_text(exc: DomainError, obj=None) -> str:
    prefix = f"{obj}: " if obj is not None else ""
    return f"{prefix}{exc.message}"


def report_domain_error(request, exc: DomainError, obj=None) -> None:
    messages.error(request, domain_error_text(exc, obj))


def apply_to_each(request, objects: Iterable, operation: Callable, *, done: str) -> int:
    """Run a service `operation(obj)` on each object; refusals become error messages, the
    successes one summary ("3 listings published."). Returns how many succeeded."""
    succeeded = 0
    for obj in objects:
        try:
            operation(obj)
        except DomainError as exc:
            report_domain_error(request, exc, obj)
        else:
            succeeded += 1
    if succeeded:
        messages.success(request, done.format(count=succeeded))
    return succeeded
