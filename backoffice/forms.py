"""Forms of the back-office itself (login, action confirmation pages)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from unfold.forms import AuthenticationForm
from unfold.widgets import UnfoldAdminTextareaWidget

from .roles import Role, role_of


class BackofficeAuthenticationForm(AuthenticationForm):
    """Django's admin login insists on is_staff; hosts, moderators and auditors log in too,
    so the wrong-password message does not speak of a "staff account"."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Please enter the correct email address and password. Both fields may be "
            "case-sensitive."
        ),
    }

    def confirm_login_allowed(self, user):
        if role_of(user) == Role.NONE:
            raise forms.ValidationError(
                _("This account has no access to the back-office."), code="invalid_login"
            )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=UnfoldAdminTextareaWidget(attrs={"rows": 3}),
    )

    def __init__(self, *args, required=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = required
