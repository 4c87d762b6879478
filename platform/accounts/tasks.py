"""Thin Celery wrappers over account services."""

from celery import shared_task
from django.conf import settings
from django.utils.module_loading import import_string

from . import services, tokens


@shared_task(name="accounts.flush_expired_sessions")
def flush_expired_sessions() -> None:
    """What `manage.py clearsessions` does, on schedule."""
    import_string(f"{settings.SESSION_ENGINE}.SessionStore").clear_expired()


@shared_task(name="accounts.send_password_reset")
def send_password_reset(email: str) -> bool:
    return services.password_reset_email(email=email)


@shared_task(name="accounts.flush_expired_tokens")
def flush_expired_tokens() -> int:
    return tokens.tokens_flush_expired()
