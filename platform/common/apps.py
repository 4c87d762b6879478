from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = "Common"

    def ready(self):
        from celery.signals import task_postrun

        # History rows get their actor and IP; requests their id header, duration and IP.
        from . import audit_signals, request_logging  # noqa: F401
        from .metrics import record_task_outcome

        task_postrun.connect(record_task_outcome, weak=False)  # task outcomes for /metrics
