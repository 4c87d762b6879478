"""The notifications log: every email the outbox holds, its status and last error. Staff and
auditors read it; nobody edits it (the sender writes it)."""

from django.contrib import admin
from unfold.admin import ModelAdmin
from unfold.decorators import display

from notifications.models import Notification

from ..sites import site
from .filters import EstimatedCountPaginator
from .scoping import ScopedAdminMixin

STATUS_LABELS = {"pending": "info", "sending": "warning", "sent": "success", "failed": "danger"}


@admin.register(Notification, site=site)
class NotificationAdmin(ScopedAdminMixin, ModelAdmin):
    list_display = (
        "created_at",
        "event",
        "to_email",
        "status_badge",
        "attempts",
        "sent_at",
        "next_attempt_at",
    )
    list_filter = ("status", "event")
    search_fields = ("to_email", "ref")
    ordering = ("-created_at",)
    list_per_page = 50
    show_full_result_count = False
    paginator = EstimatedCountPaginator  # one row per email ever sent
    actions = None
    fields = (
        "event",
        "ref",
        "to_email",
        "status_badge",
        "attempts",
        "created_at",
        "claimed_at",
        "sent_at",
        "next_attempt_at",
        "last_error",
        "context",
    )
    readonly_fields = fields

    @display(description="Status", label=STATUS_LABELS)
    def status_badge(self, obj):
        return obj.status, obj.get_status_display()

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
