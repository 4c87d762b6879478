"""Intermediate confirmation pages for actions that need a second look (refund, reason)."""

from django.contrib.admin import helpers
from django.template.response import TemplateResponse

from .forms import ReasonForm


def confirmed(request) -> bool:
    return request.POST.get("confirm") == "yes"


def confirmation_page(
    model_admin,
    request,
    queryset,
    *,
    action: str,
    title: str,
    rows,
    columns,
    reason_form: ReasonForm | None = None,
    button: str = "Confirm",
    back_url: str = ".",
):
    """Render the list of what is about to happen (`rows` are lists of cells under `columns`),
    with an optional reason field; submitting re-posts the same action with confirm=yes."""
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "opts": model_admin.model._meta,
        "action": action,
        "columns": columns,
        "rows": rows,
        "selected": [str(pk) for pk in queryset.values_list("pk", flat=True)],
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "reason_form": reason_form,
        "button": button,
        "back_url": back_url,
    }
    return TemplateResponse(request, "backoffice/action_confirm.html", context)
