"""Monthly host statements in the back-office: hosts download their own; staff and auditors
pick a host. Moderators see no money (403)."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from unfold.widgets import UnfoldAdminSelectWidget, UnfoldAdminTextInputWidget

from common.errors import DomainError
from payouts.statements import host_statement, parse_month, statement_csv

from .roles import Role, request_role

READERS = (Role.STAFF, Role.AUDITOR, Role.HOST)


class StatementForm(forms.Form):
    month = forms.CharField(
        label=_("Month (YYYY-MM)"), max_length=7, widget=UnfoldAdminTextInputWidget
    )
    host = forms.ModelChoiceField(
        label=_("Host"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=UnfoldAdminSelectWidget,
    )

    def __init__(self, *args, role, **kwargs):
        super().__init__(*args, **kwargs)
        if role == Role.HOST:
            del self.fields["host"]
        else:
            hosts = get_user_model().objects.filter(ledger_accounts__kind="host_payable")
            self.fields["host"].queryset = hosts.distinct().order_by("email")
            self.fields["host"].required = True

    def clean_month(self):
        month = self.cleaned_data["month"]
        try:
            parse_month(month)
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from None
        return month


def statements_view(request, *, site):
    role = request_role(request)
    if role not in READERS:
        raise PermissionDenied
    data = request.GET if "month" in request.GET else None
    form = StatementForm(data, role=role, initial={"month": timezone.now().strftime("%Y-%m")})
    if form.is_valid():
        host = request.user if role == Role.HOST else form.cleaned_data["host"]
        month = form.cleaned_data["month"]
        text = statement_csv(host_statement(host=host, month=month), host=host, month=month)
        response = HttpResponse(text, content_type="text/csv; charset=utf-8")
        name = f"statement-{month}-{host.pk.hex[:8]}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    context = {**site.each_context(request), "title": _("Monthly statements"), "form": form}
    return TemplateResponse(request, "backoffice/statements.html", context)
