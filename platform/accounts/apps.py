from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "People"

    def ready(self):
        from .permissions_sync import sync_role_groups

        # Plumbing, not a business rule: groups must exist with current permissions.
        post_migrate.connect(sync_role_groups, dispatch_uid="accounts.sync_role_groups")
