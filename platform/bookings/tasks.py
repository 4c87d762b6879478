"""Thin Celery wrappers: each runs a service under a named system actor for the audit trail."""

from celery import shared_task

from common.actor import acting_as

from . import services


@shared_task(name="bookings.expire_stale")
def expire_stale_bookings() -> int:
    with acting_as("expire_stale_bookings"):
        return services.booking_expire_stale()


@shared_task(name="bookings.complete_finished")
def complete_finished_stays() -> int:
    with acting_as("complete_finished_stays"):
        return services.booking_complete_finished()
