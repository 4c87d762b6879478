"""Thin Celery wrappers (queue `notifications`, see CELERY_TASK_ROUTES)."""

from celery import shared_task

from . import services


@shared_task(name="notifications.send")
def send_notification(notification_id: int) -> str:
    return services.notification_send(notification_id)


@shared_task(name="notifications.send_due", soft_time_limit=240, time_limit=280)
def send_due_notifications() -> int:
    return services.notification_send_due()
