from celery import shared_task
from django.conf import settings
from django.utils.module_loading import import_string


@shared_task(name="accounts.flush_expired_sessions")
def flush_expired_sessions() -> None:
    """What `manage.py clearsessions` does, on schedule."""
    import_string(f"{settings.SESSION_ENGINE}.SessionStore").clear_expired()
