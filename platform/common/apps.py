from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = "Common"

    def ready(self):
        from . import audit_signals  # noqa: F401  (stamps actor and IP on every history row)
