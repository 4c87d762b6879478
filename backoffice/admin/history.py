"""A "History" tab on change forms: the latest versions with per-field diffs (old → new).

unfold 0.91 puts a change form's tabs in one bar: fieldset tabs, inline tabs and "datasets"
(read-only lists shown after the form). A dataset with `tab = True` is the one kind of tab that
is not part of the form, which is what history is, so the tab is a dataset whose contents are
the same diff table as the full history page (linked from the tab for older versions).
"""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from unfold.datasets import BaseDataset

LATEST = 10  # versions shown in the tab; the history page pages through all of them


class HistoryTab(BaseDataset):
    tab = True
    title = _("History")
    model_admin = None  # set per admin by history_tab_for()
    model = None  # the historical model (unfold reads it from the class)

    def __init__(self, request, extra_context):
        # BaseDataset builds a changelist admin; this tab renders its own table instead.
        self.request = request
        self.object_id = (extra_context or {}).get("object")

    @property
    def contents(self) -> str:
        model_admin, request = self.model_admin, self.request
        obj = model_admin.get_object(request, self.object_id)  # scoped: 404 outside it
        history = model_admin.model.history
        pk_name = model_admin.model._meta.pk.attname
        # One more than shown, so the oldest shown version still gets its diff.
        records = list(
            model_admin.get_history_queryset(request, history, pk_name, obj.pk)[: LATEST + 1]
        )
        model_admin.set_history_delta_changes(request, records)
        info = model_admin.model._meta.app_label, model_admin.model._meta.model_name
        return render_to_string(
            "backoffice/history_tab.html",
            {
                "page_obj": records[:LATEST],
                "more": len(records) > LATEST,
                "history_url": reverse(
                    f"{model_admin.admin_site.name}:%s_%s_history" % info, args=[obj.pk]
                ),
                "tab_id": f"dataset-{self.model_name}",
            },
            request=request,
        )


def history_tab_for(model_admin) -> type[HistoryTab]:
    return type(
        f"{type(model_admin).__name__}HistoryTab",
        (HistoryTab,),
        {
            "model_admin": model_admin,
            "model": model_admin.model.history.model,
        },
    )
