from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = "Common"

    def ready(self):
        from celery.signals import task_postrun

        from . import audit_signals  # noqa: F401  (stamps actor and IP on every history row)
        from .metrics import record_task_outcome

        task_postrun.connect(record_task_outcome, weak=False)  # task outcomes for /metrics
