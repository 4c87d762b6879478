"""The one place where the core's DomainError becomes something a back-office user reads."""

from collections.abc import Callable, Iterable

from django.contrib import messages
from django.utils.translation import ngettext

from common.errors import DomainError


def domain_error_text(exc: DomainError, obj=None) -> str:
    prefix = f"{obj}: " if obj is not None else ""
    return f"{prefix}{exc.message}"


def report_domain_error(request, exc: DomainError, obj=None) -> None:
    messages.error(request, domain_error_text(exc, obj))


def apply_to_each(request, objects: Iterable, operation: Callable, *, done: tuple[str, str]) -> int:
    """Run a service `operation(obj)` on each object; refusals become error messages, the
    successes one summary in words: `done` is (singular, plural), e.g. ("{count} listing
    published.", "{count} listings published."). Returns how many succeeded."""
    succeeded = 0
    for obj in objects:
        try:
            operation(obj)
        except DomainError as exc:
            report_domain_error(request, exc, obj)
        else:
            succeeded += 1
    if succeeded:
        messages.success(request, ngettext(*done, succeeded).format(count=succeeded))
    return succeeded
