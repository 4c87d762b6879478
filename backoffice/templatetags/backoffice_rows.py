"""`{% changelist_rows cl %}`: unfold's result list, with the rows drawn by
backoffice.change_list_rows (one string a row, what they share worked out once per page)."""

from typing import Any

from django import template
from django.utils.safestring import SafeString
from unfold.templatetags.unfold_list import result_headers, result_list

from ..change_list_rows import ChangeListRows, NotDrawnHere, fast_rows_apply

register = template.Library()


@register.simple_tag(takes_context=True)
def changelist_rows(context: template.Context, cl: Any) -> SafeString:
    if not fast_rows_apply(cl, context.flatten()):
        return _unfolds(context, cl)
    headers = list(result_headers(cl))
    try:
        rows = list(ChangeListRows(cl, headers)) if cl.result_list else []
    except NotDrawnHere:
        return _unfolds(context, cl)
    # unfold's result_list context, its rows drawn here (there, each cell went through the
    # template, and the headers were rebuilt for every row)
    page = {
        "cl": cl,
        "result_hidden_fields": [],  # those of list_editable, which is not drawn here
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "rows": rows,
        "actions_row": None,
        "has_add_permission": cl.model_admin.has_add_permission(context["request"]),
    }
    return _render(context, "backoffice/change_list_results.html", page)


def _unfolds(context: template.Context, cl: Any) -> SafeString:
    return _render(context, "admin/change_list_results.html", result_list(context, cl))


def _render(context: template.Context, name: str, values: dict[str, Any]) -> SafeString:
    """As an inclusion tag renders: the page's context (request, autoescape) plus `values`."""
    engine = context.template.engine if context.template else template.engines["django"].engine
    return engine.get_template(name).render(context.new(values))
