"""The back-office login's answer when django-axes refuses it (settings.AXES_LOCKOUT_CALLABLE).

The login page again, status 429 with `Retry-After`, and one message in place of the form's
own: the same whether the email belongs to an account or not. (The APIs answer a lockout
themselves, through accounts.authentication.user_authenticate.)
"""

from django.forms.utils import ErrorDict
from django.http import HttpResponse
from django.template.response import TemplateResponse

from accounts.authentication import LockedOut, lockout_seconds


def lockout_response(request, original_response=None, credentials=None):
    wait = lockout_seconds(request)
    message = LockedOut(wait).message
    context = getattr(original_response, "context_data", None) or {}
    form = context.get("form")
    if form is not None and hasattr(form, "add_error"):
        form._errors = ErrorDict()
        form.add_error(None, message)
        response = TemplateResponse(request, original_response.template_name, context, status=429)
        response.render()
    else:
        response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(wait)
    return response
