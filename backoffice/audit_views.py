"""The global audit timeline: every model's history in one list, filterable, exportable."""

import csv
from datetime import date, datetime, time, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import JsonResponse, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from unfold.fields import UnfoldAdminAutocompleteModelChoiceField
from unfold.widgets import (
    UnfoldAdminAutocompleteModelChoiceFieldWidget,
    UnfoldAdminDateWidget,
    UnfoldAdminSelectWidget,
    UnfoldAdminTextInputWidget,
)

from audit.selectors import audit_changes, audit_subjects, audit_timeline, audited_model_choices
from common.spreadsheet import csv_cell

from .admin.filters import EstimatedCountPaginator
from .people import actor_words, identity
from .roles import Role, request_role

PER_PAGE = 50
CSV_COLUMNS = ("history_date", "model", "object_id", "history_type", "history_actor", "history_ip")
# The dates a filter may name: wide enough for any real trail, narrow enough that the day after
# "until" is still a date (9999-12-31 + 1 day overflowed into a 500).
EARLIEST, LATEST = date(2000, 1, 1), date(2999, 12, 31)
# Staff read the whole-site trail only with this permission (superusers hold every one; the
# history of user accounts is the most sensitive part of the trail). Auditors always may.
AUDIT_PERMISSION = "accounts.view_historicaluser"


ACTORS_PER_PAGE = 20


def _model_choices():
    return [("", _("All kinds")), *audited_model_choices()]


class ChosenOnlyAutocompleteWidget(UnfoldAdminAutocompleteModelChoiceFieldWidget):
    """The matches come from the ajax endpoint; the page carries only the chosen person.
    unfold's widget walked the whole queryset (6,000 people: 1.2 s) to print none of them."""

    def optgroups(self, name, value, attrs=None):
        chosen = [v for v in value if v not in (None, "")]
        if not chosen:
            return []
        field = self.choices.field
        return [
            (None, [self.create_option(name, field.prepare_value(obj),
                                       field.label_from_instance(obj), True, index, attrs=attrs)],
             index)
            for index, obj in enumerate(field.queryset.filter(pk__in=chosen))
        ]  # fmt: skip


class PersonField(UnfoldAdminAutocompleteModelChoiceField):
    widget = ChosenOnlyAutocompleteWidget

    def label_from_instance(self, obj):
        return identity(obj)


class TimelineFilter(forms.Form):
    person = PersonField(
        url_path="admin:audit_actors",
        queryset=get_user_model().objects.all(),
        required=False,
        label=_("Who"),
        help_text=_("Type a name or an email."),
    )
    actor = forms.CharField(
        required=False,
        max_length=200,
        label=_("Actor label contains"),
        help_text=_("For system jobs (system:…) and deleted accounts."),
        widget=UnfoldAdminTextInputWidget,
    )
    model = forms.ChoiceField(required=False, label=_("What"), widget=UnfoldAdminSelectWidget)
    object_id = forms.UUIDField(
        required=False, label=_("Object id"), widget=UnfoldAdminTextInputWidget
    )
    since = forms.DateField(required=False, widget=UnfoldAdminDateWidget)
    until = forms.DateField(required=False, widget=UnfoldAdminDateWidget)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = _model_choices()

    def _bounded(self, name):
        day = self.cleaned_data.get(name)
        if day is not None and not EARLIEST <= day <= LATEST:
            raise forms.ValidationError(
                _("Pick a date between %(earliest)s and %(latest)s."),
                params={"earliest": EARLIEST, "latest": LATEST},
            )
        return day

    def clean_since(self):
        return self._bounded("since")

    def clean_until(self):
        return self._bounded("until")

    def selector_kwargs(self) -> dict:
        data = self.cleaned_data
        zone = timezone.get_current_timezone()
        since = data.get("since")
        until = data.get("until")
        return {
            "actor": data.get("actor") or None,
            "actor_user": data.get("person"),
            "model_label": data.get("model") or None,
            "object_id": data.get("object_id"),
            "since": datetime.combine(since, time.min, zone) if since else None,
            # "until" is inclusive for people: the whole day counts.
            "until": datetime.combine(until + timedelta(days=1), time.min, zone) if until else None,
        }


def may_read_timeline(request) -> bool:
    """The whole-site trail is for auditors and for staff holding AUDIT_PERMISSION; hosts
    read their own objects' history on each object's page."""
    role = request_role(request)
    if role == Role.AUDITOR:
        return True
    return role == Role.STAFF and request.user.has_perm(AUDIT_PERMISSION)


def _check_access(request):
    if not may_read_timeline(request):
        raise PermissionDenied


def _filtered(request):
    form = TimelineFilter(request.GET or None)
    rows = audit_timeline(**form.selector_kwargs()) if form.is_valid() else None
    if not request.GET:
        rows = audit_timeline()
    return form, rows


def _history_url(site, label: str, object_id) -> str:
    """The object's history page in the back-office; a host block's occupancy row opens as
    the host block it is."""
    if label == "calendars.occupancy":
        label = "calendars.hostblock"
    app_label, model_name = label.split(".")
    model = next((m for m in site._registry if m._meta.label_lower == label), None)
    if model is None:
        return ""
    return reverse(f"admin:{app_label}_{model_name}_history", args=[object_id])


def audit_timeline_view(request, *, site):
    """One row per change a person (or a job) made, named in words; the rows behind it open
    underneath."""
    _check_access(request)
    form, rows = _filtered(request)
    # Every history table at once: counted exactly only while short (backoffice.admin.filters).
    paginator = EstimatedCountPaginator(rows if rows is not None else [], PER_PAGE)
    page = paginator.get_page(request.GET.get("p"))
    records = list(page.object_list)
    changes = audit_changes(records, audit_subjects(records))
    people = get_user_model().objects.in_bulk(
        {r["history_user_id"] for r in records if r["history_user_id"]}
    )
    for change in changes:
        change["actor_words"] = actor_words(
            people.get(change["history_user_id"]), change["history_actor"]
        )
        for record in change["records"]:
            # A booking's nights open as the booking, a block's as the host block.
            target = record["subject"] if record["model"] == "calendars.occupancy" else None
            record["history_url"] = _history_url(
                site, *(target or (record["model"], record["object_id"]))
            )
        change["history_url"] = _history_url(site, *change["subject"])
    query = request.GET.copy()
    query.pop("p", None)
    context = {
        **site.each_context(request),
        "title": _("Audit timeline"),
        "form": form,
        "page": page,
        "changes": changes,
        "query": query.urlencode(),
    }
    return TemplateResponse(request, "backoffice/audit_timeline.html", context)


class _Echo:
    def write(self, value):
        return value


def audit_actors_json(request, *, site):
    """The "Who" filter's suggestions: people by name or email, in select2's format."""
    _check_access(request)
    term = (request.GET.get("term") or "").strip()
    people = get_user_model().objects.order_by("first_name", "last_name", "email")
    if term:
        people = people.filter(
            Q(email__icontains=term) | Q(first_name__icontains=term) | Q(last_name__icontains=term)
        )
    page = Paginator(people, ACTORS_PER_PAGE).get_page(request.GET.get("page"))
    results = [{"id": str(user.pk), "text": identity(user)} for user in page.object_list]
    return JsonResponse({"results": results, "pagination": {"more": page.has_next()}})


def audit_timeline_csv(request, *, site):
    _check_access(request)
    form, rows = _filtered(request)
    if rows is None:
        from django.http import HttpResponseBadRequest

        return HttpResponseBadRequest("Invalid filter: " + "; ".join(
            f"{field}: {' '.join(errors)}" for field, errors in form.errors.items()
        ))  # fmt: skip
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(CSV_COLUMNS)
        for row in rows.iterator(chunk_size=2000) if hasattr(rows, "iterator") else rows:
            yield writer.writerow([csv_cell(row[c]) for c in CSV_COLUMNS])

    response = StreamingHttpResponse(lines(), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="audit-timeline.csv"'
    return response
