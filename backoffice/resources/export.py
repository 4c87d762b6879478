"""The one export base of the back-office: every exported cell goes through `neutralise`.

Every BackofficeAdmin exports through a subclass of `SafeExportResource` (see
`BackofficeAdmin.get_export_resource_classes`): the default resource of an admin that declares
none is built on it, and a declared resource that does not extend it is wrapped. So a guest's
name, a listing title or a review comment starting with "=" leaves as text, in CSV and XLSX.
"""

import re

from import_export import resources

from listings import imports

_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def neutralise(value):
    """Make a text cell inert in a spreadsheet: a leading =, +, -, @, tab or carriage return
    would start a formula (CSV injection), so such text gets a leading apostrophe, which
    spreadsheets show as text. Plain numbers such as -9.14 are left alone. The import takes the
    apostrophe off again, so an exported file re-imports unchanged.

    (IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT alone is not enough: it only strips one leading
    "=", so "==cmd", "+cmd" and "@SUM()" pass through.)"""
    formula_like = isinstance(value, str) and value.startswith(imports.FORMULA_PREFIXES)
    if formula_like and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


class SafeExportResource(resources.ModelResource):
    """A ModelResource whose exported text cells cannot start a spreadsheet formula."""

    def export_field(self, field, instance, **kwargs):
        value = super().export_field(field, instance, **kwargs)
        return "" if value is None else neutralise(value)


def safe_export_resource(resource_class, model):
    """`resource_class` if it already neutralises its cells, else a subclass that does (the
    default resource of an admin without one included)."""
    if resource_class is None:
        return resources.modelresource_factory(model, resource_class=SafeExportResource)
    if issubclass(resource_class, SafeExportResource):
        return resource_class
    # The declared class first, so its Meta (model, fields) wins; its own export_field, if
    # any, reaches SafeExportResource's through super().
    return type(f"Safe{resource_class.__name__}", (resource_class, SafeExportResource), {})
