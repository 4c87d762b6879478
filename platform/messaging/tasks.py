"""Thin Celery wrappers over messaging services."""

from celery import shared_task

from common.actor import acting_as

from . import services


@shared_task(name="messaging.notify_new_messages", soft_time_limit=50, time_limit=58)
def notify_new_messages() -> int:
    with acting_as("notify_new_messages"):
        return services.message_notifications_send()
