"""What every back-office ModelAdmin shares: role scoping, read-only history, import/export.

`ScopedAdminMixin` is the ONE place that decides who sees and changes what:

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
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpResponseBadRequest, HttpResponseNotAllowed
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper
from simple_history.utils import get_m2m_reverse_field_name
from unfold.admin import ModelAdmin
from unfold.contrib.filters.admin import RangeNumericFilter
from unfold.contrib.import_export.forms import ExportForm, ImportForm

from common.errors import DomainError

from ..errors import report_domain_error
from ..resources.export import safe_export_resource
from ..roles import Role, request_role
from .filters import EstimatedCountPaginator


def owner_id(obj, host_lookup: str):
    """The id of the host owning `obj`, following e.g. "listing__host" without extra queries
    when the relation is already loaded."""
    *path, last = host_lookup.split("__")
    for name in path:
        obj = getattr(obj, name)
    return getattr(obj, f"{last}_id")


def sees_identities(request) -> bool:
    """Staff and auditors read who did what (email, IP); everyone else reads first names."""
    return request_role(request) in (Role.STAFF, Role.AUDITOR)


def person_label(user) -> str:
    """A person as hosts and moderators see them: a first name, never an email address
    (User.__str__ is the email). Staff accounts are just "staff"."""
    if user is None:
        return "system"
    if user.is_staff or user.is_superuser:
        return "staff"
    return user.first_name or "(no name)"


def actor_label(request, record) -> str:
    """Who made a historical change, for this viewer. `history_user` is select_related by the
    history querysets, so this adds no query per row."""
    if sees_identities(request):
        label = record.history_actor or str(record.history_user or _("unknown"))
        return f"{label} ({record.history_ip})" if record.history_ip else label
    if record.history_user_id is not None:
        return person_label(record.history_user)
    return "system" if (record.history_actor or "").startswith("system:") else str(_("unknown"))


class NamesOnlyContextHelper(HistoricalRecordContextHelper):
    """History diffs for hosts and moderators: a changed person (host, moderated_by, guest)
    shows as a first name instead of the email User.__str__ gives."""

    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        user_model = get_user_model()
        if isinstance(value, list):
            return [person_label(v) if isinstance(v, user_model) else v for v in value]
        return person_label(value) if isinstance(value, user_model) else value


def history_m2m_rows(records) -> dict:
    """{m2m field: {history_id: [related objects, sorted]}} for every tracked many-to-many
    field of these historical records, one query per field."""
    if not records:
        return {}
    history_ids = [r.history_id for r in records]
    rows = {}
    for field in records[0]._history_m2m_fields:
        through = getattr(records[0], field.name).model  # the historical through model
        target = get_m2m_reverse_field_name(field)
        by_version = {history_id: [] for history_id in history_ids}
        links = through.objects.filter(history_id__in=history_ids).select_related(target)
        for link in links.order_by(target):
            by_version[link.history_id].append(getattr(link, target))
        rows[field.name] = by_version
    return rows


def m2m_changes(m2m_rows: dict, newer, older) -> list[dict]:
    """The many-to-many part of a diff, in the shape of simple-history's change dicts."""
    changes = []
    for name, by_version in m2m_rows.items():
        old, new = by_version[older.history_id], by_version[newer.history_id]
        if [o.pk for o in old] != [n.pk for n in new]:
            label = capfirst(newer.instance_type._meta.get_field(name).verbose_name)
            changes.append({"field": label, "old": ", ".join(map(str, old)),
                            "new": ", ".join(map(str, new))})  # fmt: skip
    return changes


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

    # --- import and export -----------------------------------------------------------------

    def export_action(self, request):
        """A filter the changelist would refuse (?foo=1, ?nightly_price_from=abc) is a 400
        with the reason, never a 500 nor an export of everything."""
        try:
            return super().export_action(request)
        except IncorrectLookupParameters as exc:
            detail = f" ({exc})" if str(exc) else ""
            return HttpResponseBadRequest(f"Invalid filter in the address{detail}.")

    def has_export_permission(self, request):
        # Moderators decide on screen; a file of what they may read would leave with them.
        role = request_role(request)
        return role not in (Role.NONE, Role.MODERATOR) and self.has_view_permission(request)

    def get_export_resource_classes(self, request):
        """Every export neutralises formula-like cells (H1): the declared resources, or the
        model's default one, built on SafeExportResource."""
        declared = self.resource_classes or [None]
        return [safe_export_resource(cls, self.model) for cls in declared]

    def has_import_permission(self, request):
        return bool(self.resource_classes) and self.has_add_permission(request)

    # --- history: readable, scoped, never editable -----------------------------------------

    def history_view(self, request, object_id, extra_context=None):
        # simple-history would fall back to the last historical row of an object the queryset
        # does not contain, which would show another host's data: check scope first.
        self.get_object(request, unquote(object_id))
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """A past version, read-only: reverting would bypass the services."""
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        obj = self.get_object(request, unquote(object_id))
        if not self.has_view_permission(request, obj):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        """Per-field diffs (old → new) and `actor_display` on every record; the history page
        and the History tab both come through here.

        simple-history diffs a many-to-many field (amenities) with two queries per version,
        so a page of 50 versions cost 100+ queries: the many-to-many rows of every version
        on the page are read here in one query per field and compared in memory."""
        records = list(historical_records)
        m2m_rows = history_m2m_rows(records)
        previous = None
        for current in records:
            if previous is not None:
                delta = previous.diff_against(
                    current, excluded_fields=set(m2m_rows),
                    foreign_keys_are_objs=foreign_keys_are_objs,
                )  # fmt: skip
                helper = self.get_historical_record_context_helper(request, previous)
                previous.history_delta_changes = [
                    *helper.context_for_delta_changes(delta),
                    *m2m_changes(m2m_rows, previous, current),
                ]
            previous = current
        for record in records:
            record.actor_display = actor_label(request, record)

    def get_historical_record_context_helper(self, request, historical_record):
        if sees_identities(request):
            return super().get_historical_record_context_helper(request, historical_record)
        return NamesOnlyContextHelper(self.model, historical_record)

    def revert_disabled(self, request, obj=None):
        return True

    def has_change_history_permission(self, request, obj=None):
        return False

    # --- domain errors while saving --------------------------------------------------------

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """Services may refuse a save the form could not foresee (a race on the calendar):
        the transaction is rolled back and the person reads why."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:
            from django.http import HttpResponseRedirect

            report_domain_error(request, exc)
            return HttpResponseRedirect(request.get_full_path())


def _filter_name(list_filter) -> str:
    if isinstance(list_filter, (tuple, list)):
        return list_filter[0]
    return getattr(list_filter, "parameter_name", "") or str(list_filter)


class BackofficeAdmin(ScopedAdminMixin, SimpleHistoryAdmin, ImportExportModelAdmin, ModelAdmin):
    """The base of every ModelAdmin: unfold look, history with diffs, import/export forms."""

    import_form_class = ImportForm
    export_form_class = ExportForm
    object_history_template = "backoffice/object_history.html"
    object_history_list_template = "backoffice/object_history_list.html"
    history_list_per_page = 50
    list_per_page = 50
    show_full_result_count = False  # one COUNT fewer on big tables
    paginator = EstimatedCountPaginator  # and the one left is capped (backoffice.admin.filters)
    warn_unsaved_form = True
    compressed_fields = True


class StrictRangeNumericFilter(RangeNumericFilter):
    """unfold's numeric range filter ignores a value it cannot read (?nightly_price_from=abc),
    so the list (and an export) silently showed everything: refuse it instead. The changelist
    then shows Django's invalid-filter page, the export a 400."""

    def queryset(self, request, queryset):
        filtered = super().queryset(request, queryset)
        if filtered is None:
            raise IncorrectLookupParameters(f"{self.parameter_name}: not a number")
        return filtered
