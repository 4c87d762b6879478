"""The global audit timeline: every model's history in one list, filterable, exportable."""

import csv
from datetime import date, datetime, time, timedelta

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from unfold.widgets import (
    UnfoldAdminDateWidget,
    UnfoldAdminSelectWidget,
    UnfoldAdminTextInputWidget,
)

from audit.selectors import audit_timeline, audited_models

from .roles import Role, request_role

PER_PAGE = 50
CSV_COLUMNS = ("history_date", "model", "object_id", "history_type", "history_actor", "history_ip")
HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}
# The dates a filter may name: wide enough for any real trail, narrow enough that the day after
# "until" is still a date (9999-12-31 + 1 day overflowed into a 500).
EARLIEST, LATEST = date(2000, 1, 1), date(2999, 12, 31)
# Staff read the whole-site trail only with this permission (superusers hold every one; the
# history of user accounts is the most sensitive part of the trail). Auditors always may.
AUDIT_PERMISSION = "accounts.view_historicaluser"


def _model_choices():
    labels = sorted(model._meta.label_lower for model, _h in audited_models())
    return [("", _("All models"))] + [(label, label) for label in labels]


class TimelineFilter(forms.Form):
    actor = forms.CharField(required=False, max_length=200, widget=UnfoldAdminTextInputWidget)
    model = forms.ChoiceField(required=False, widget=UnfoldAdminSelectWidget)
    object_id = forms.UUIDField(required=False, widget=UnfoldAdminTextInputWidget)
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


def audit_timeline_view(request):
    _check_access(request)
    form, rows = _filtered(request)
    page = Paginator(rows if rows is not None else [], PER_PAGE).get_page(request.GET.get("p"))
    for row in page.object_list:
        row["action"] = HISTORY_TYPES.get(row["history_type"], row["history_type"])
        app_label, model_name = row["model"].split(".")
        try:
            row["history_url"] = reverse(
                f"admin:{app_label}_{model_name}_history", args=[row["object_id"]]
            )
        except Exception:  # noqa: BLE001  a model without an admin page
            row["history_url"] = ""
    query = request.GET.copy()
    query.pop("p", None)
    from .sites import site

    context = {
        **site.each_context(request),
        "title": _("Audit timeline"),
        "form": form,
        "page": page,
        "query": query.urlencode(),
    }
    return TemplateResponse(request, "backoffice/audit_timeline.html", context)


class _Echo:
    def write(self, value):
        return value


def audit_timeline_csv(request):
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
            yield writer.writerow([_csv_safe(row[c]) for c in CSV_COLUMNS])

    response = StreamingHttpResponse(lines(), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="audit-timeline.csv"'
    return response


def _csv_safe(value) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas: neutralise them."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
