"""Thin Celery wrappers. The audit history names the task (system:<task name>) as the actor of
what each one changes (common.background.StayBookTask)."""

from celery import shared_task

from . import services


@shared_task(name="bookings.expire_stale")
def expire_stale_bookings() -> int:
    return services.booking_expire_stale()


@shared_task(name="bookings.complete_finished")
def complete_finished_stays() -> int:
    return services.booking_complete_finished()


@shared_task(name="bookings.refresh_dashboard", soft_time_limit=240, time_limit=280)
def refresh_dashboard() -> int:
    """Store the marketplace's dashboard figures (beat: every few minutes and at start)."""
    from .kpis import kpi_reports_refresh

    return kpi_reports_refresh()
