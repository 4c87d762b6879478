"""The one export base of the back-office: every exported cell goes through `neutralise`
(common.spreadsheet).

Every BackofficeAdmin exports through a subclass of `SafeExportResource` (see
`BackofficeAdmin.get_export_resource_classes`): the default resource of an admin that declares
none is built on it, and a declared resource that does not extend it is wrapped. So a guest's
name, a listing title or a review comment starting with "=" leaves as text, in CSV and XLSX.
"""

from import_export import resources

from common.spreadsheet import neutralise  # the one rule (exports and imports alike)

__all__ = ["SafeExportResource", "neutralise", "safe_export_resource"]


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
