"""History in the back-office: readable by whoever may read the object, never editable, with
per-field diffs that name people the way the viewer may read them."""

from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.utils.text import capfirst
from simple_history.template_utils import HistoricalRecordContextHelper
from simple_history.utils import get_m2m_reverse_field_name

from ..people import actor_label, first_name, sees_identities


class NamesOnlyContextHelper(HistoricalRecordContextHelper):
    """History diffs for hosts and moderators: a changed person (host, moderated_by, guest)
    shows as a first name instead of the email User.__str__ gives."""

    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        user_model = get_user_model()
        if isinstance(value, list):
            return [first_name(v) if isinstance(v, user_model) else v for v in value]
        return first_name(value) if isinstance(value, user_model) else value


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
            changes.append(
                {"field": label, "old": ", ".join(map(str, old)), "new": ", ".join(map(str, new))}
            )
    return changes


class ReadOnlyHistoryMixin:
    """simple-history's pages, scoped (ScopedAdminMixin.get_object) and read-only."""

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
                    current,
                    excluded_fields=set(m2m_rows),
                    foreign_keys_are_objs=foreign_keys_are_objs,
                )
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
