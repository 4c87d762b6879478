"""The base of every back-office ModelAdmin: unfold's look, scoping, read-only history with
diffs, import/export rules, and the core's refusals shown as messages. Each concern lives in its
own module; this one composes them:

- `scoping.ScopedAdminMixin`: who sees and changes what (the one place that decides);
- `history_views.ReadOnlyHistoryMixin`: history pages, scoped and never editable;
- `transfer.ImportExportRulesMixin`: who may import and export, formula-safe files;
- `filters`: list filters and the paginator;
- `backoffice.people`: how people are named for each viewer.
"""

from django.http import HttpResponseRedirect
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin
from unfold.contrib.import_export.forms import ExportForm, ImportForm

from common.errors import DomainError

from ..errors import report_domain_error
from .filters import EstimatedCountPaginator
from .history_views import ReadOnlyHistoryMixin
from .scoping import ScopedAdminMixin
from .transfer import ImportExportRulesMixin


class BackofficeAdmin(
    ScopedAdminMixin,
    ReadOnlyHistoryMixin,
    ImportExportRulesMixin,
    SimpleHistoryAdmin,
    ImportExportModelAdmin,
    ModelAdmin,
):
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
    empty_value_display = "—"  # the dash the back-office's own columns use, not Django's "-"

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """Services may refuse a save the form could not foresee (a race on the calendar):
        the transaction is rolled back and the person reads why."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:
            report_domain_error(request, exc)
            return HttpResponseRedirect(request.get_full_path())
