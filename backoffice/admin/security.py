"""Login lockouts (django-axes): staff see who is locked out and unlock them.

One row per account / client address with failed logins; deleting it (the "Unlock" action)
lifts the lockout at once. Visible to superusers and staff given axes' permissions; hosts,
moderators and auditors have none of them.
"""

from axes.models import AccessAttempt
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.decorators import action

from ..sites import site


@admin.register(AccessAttempt, site=site)
class LoginLockoutAdmin(ModelAdmin):
    list_display = ("username", "ip_address", "failures_since_start", "attempt_time")
    search_fields = ("username", "ip_address")
    date_hierarchy = "attempt_time"
    ordering = ("-attempt_time",)
    readonly_fields = (
        "username",
        "ip_address",
        "user_agent",
        "path_info",
        "failures_since_start",
        "attempt_time",
    )
    exclude = ("get_data", "post_data", "http_accept")
    actions = ["unlock"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @action(description=_("Unlock (forget these failed logins)"), permissions=["delete"])
    def unlock(self, request, queryset):
        count, _rows = queryset.delete()
        self.message_user(request, _("%d lockout(s) lifted.") % count, messages.SUCCESS)
