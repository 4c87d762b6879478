"""People: staff manage accounts and auditors read them. Hosts and moderators never see them:
no moderation decision needs a guest's email or phone."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.models import User

from ..sites import site
from .base import BackofficeAdmin


@admin.register(User, site=site)
class UserAdmin(BackofficeAdmin):
    list_display = ("email", "first_name", "last_name", "is_active", "is_staff", "date_joined")
    list_filter = ("is_active", "is_staff", "groups")
    search_fields = ("email", "first_name", "last_name")
    filter_horizontal = ("groups",)
    readonly_fields = ("date_joined", "last_login")
    fieldsets = (
        (_("Profile"), {"fields": ("email", ("first_name", "last_name"), "phone", "bio")}),
        (_("Access"), {"fields": ("is_active", "is_staff", "groups", "date_joined", "last_login")}),
    )
    actions = None

    def has_export_permission(self, request):
        return False  # a people export is a data-protection decision, not a button

    def has_delete_permission(self, request, obj=None):
        return False  # accounts with bookings must stay; deactivate instead
