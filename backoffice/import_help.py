"""What a person needs next to the listing import form: the template (CSV and XLSX, the same
columns) and the amenity slugs they may use (hosts have no Amenities menu)."""

import tablib
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from listings.models import Amenity, Listing

from .roles import Role, request_role

TEMPLATE_CSV = "backoffice/listings-import-template.csv"


def _check(request):
    from .sites import site

    if not site._registry[Listing].has_import_permission(request):
        raise PermissionDenied


def import_template_xlsx(request):
    """The CSV template's columns as an XLSX file, with the same example row."""
    _check(request)
    with open(finders.find(TEMPLATE_CSV), encoding="utf-8") as template:
        dataset = tablib.Dataset().load(template.read(), format="csv")
    response = HttpResponse(
        dataset.export("xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="listings-import-template.xlsx"'
    return response


def amenity_slugs_view(request):
    if request_role(request) not in (Role.STAFF, Role.HOST, Role.AUDITOR):
        raise PermissionDenied
    from .sites import site

    context = {
        **site.each_context(request),
        "title": _("Amenities you can list in an import"),
        "amenities": Amenity.objects.order_by("name").values_list("name", "slug"),
    }
    return TemplateResponse(request, "backoffice/amenity_slugs.html", context)
