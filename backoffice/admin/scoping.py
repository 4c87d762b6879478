"""Who sees and changes what in the back-office: `ScopedAdminMixin`, the ONE place that decides.

- staff: whatever their Django permissions allow;
- host: only rows reachable from their own listings (`host_lookup`), with their group's
  permissions, and only where the admin opts in (`host_can_add/change/delete`);
- moderator: read access where a moderation decision needs it (`moderator_can_view`);
- auditor: read-only everything, history included; no save, delete, import or action.

Every path goes through `get_queryset` or `has_*_permission`: changelists, change views by typed
URL (404 for what is out of scope), list filters built from the scoped queryset, search,
autocomplete (Django asks the target admin's get_queryset), history, export and actions.
"""

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from ..roles import Role, request_role


def owner_id(obj, host_lookup: str):
    """The id of the host owning `obj`, following e.g. "listing__host" without extra queries
    when the relation is already loaded."""
    *path, last = host_lookup.split("__")
    for name in path:
        obj = getattr(obj, name)
    return getattr(obj, f"{last}_id")


class ScopedAdminMixin:
    host_lookup: str | None = None  # path to the owning host; None: hosts never see this model
    host_can_add = False
    host_can_change = False
    host_can_delete = False
    moderator_can_view = False
    moderator_can_change = False
    staff_only_list_filters: tuple[str, ...] = ()  # e.g. ("host",): would list other hosts
    readable_by_everyone = False  # a public catalogue (amenities): every role reads all rows

    # --- what rows exist for this person ---------------------------------------------------

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        role = request_role(request)
        if role in (Role.STAFF, Role.AUDITOR):
            return qs
        if self.readable_by_everyone and role != Role.NONE:
            return qs
        if role == Role.HOST and self.host_lookup:
            return qs.filter(**{self.host_lookup: request.user})
        if role == Role.MODERATOR and self.moderator_can_view:
            return self.moderator_queryset(qs)
        return qs.none()

    def moderator_queryset(self, qs):
        """The rows a moderator's decisions need; narrow it per model where less will do."""
        return qs

    def get_object(self, request, object_id, from_field=None):
        """Out of scope is the same as missing: a 404, never a page or a hint."""
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(_("Not found."))
        return obj

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """Choices of a related object come from that model's own scoped admin."""
        related_admin = self.admin_site._registry.get(db_field.remote_field.model)
        if related_admin is not None and "queryset" not in kwargs:
            kwargs["queryset"] = related_admin.get_queryset(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        """?host=<id> pre-fills the add form; an id that is not even an id (?host=bad) is
        dropped instead of crashing the widget that renders it."""
        initial = super().get_changeform_initial_data(request)
        for name, value in list(initial.items()):
            try:
                field = self.model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if not isinstance(field, models.ForeignKey):
                continue
            try:
                field.target_field.to_python(value)
            except ValidationError:
                del initial[name]
                messages.warning(request, f"Ignored {name}={value!r}: not a valid id.")
        return initial

    def owns(self, request, obj) -> bool:
        return bool(self.host_lookup) and owner_id(obj, self.host_lookup) == request.user.pk

    # --- what they may do ------------------------------------------------------------------

    def _host_may(self, request, obj, opted_in: bool) -> bool:
        return opted_in and (obj is None or self.owns(request, obj))

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_view_permission(self, request, obj=None):
        role = request_role(request)
        if role in (Role.STAFF, Role.AUDITOR):
            return super().has_view_permission(request, obj)
        if role == Role.HOST:
            return self._host_may(request, obj, bool(self.host_lookup)) and (
                super().has_view_permission(request, obj)
            )
        if role == Role.MODERATOR:
            return self.moderator_can_view and super().has_view_permission(request, obj)
        return False

    def has_change_permission(self, request, obj=None):
        role = request_role(request)
        if role == Role.STAFF:
            return super().has_change_permission(request, obj)
        if role == Role.HOST:
            return self._host_may(request, obj, self.host_can_change) and (
                super().has_change_permission(request, obj)
            )
        if role == Role.MODERATOR:
            return self.moderator_can_change and super().has_change_permission(request, obj)
        return False

    def has_add_permission(self, request, *args):
        role = request_role(request)
        if role == Role.STAFF:
            return super().has_add_permission(request, *args)
        if role == Role.HOST:
            return self.host_can_add and super().has_add_permission(request, *args)
        return False

    def has_delete_permission(self, request, obj=None):
        role = request_role(request)
        if role == Role.STAFF:
            return super().has_delete_permission(request, obj)
        if role == Role.HOST:
            return self._host_may(request, obj, self.host_can_delete) and (
                super().has_delete_permission(request, obj)
            )
        return False

    def get_actions(self, request):
        if request_role(request) == Role.AUDITOR:
            return {}
        return super().get_actions(request)

    def get_list_filter(self, request):
        filters = super().get_list_filter(request)
        if request_role(request) == Role.STAFF:
            return filters
        return [f for f in filters if _filter_name(f) not in self.staff_only_list_filters]


def _filter_name(list_filter) -> str:
    if isinstance(list_filter, (tuple, list)):
        return list_filter[0]
    return getattr(list_filter, "parameter_name", "") or str(list_filter)
