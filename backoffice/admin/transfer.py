"""Import and export in the back-office: who may, and what leaves (formula-safe files)."""

from django.contrib.admin.options import IncorrectLookupParameters
from django.http import HttpResponseBadRequest

from ..resources.export import safe_export_resource
from ..roles import Role, request_role


class ImportExportRulesMixin:
    """Exports for those who may read (never moderators), imports for those who may add."""

    def export_action(self, request):
        """A filter the changelist would refuse (?foo=1, ?nightly_price_from=abc) is a 400
        with the reason, never a 500 nor an export of everything."""
        try:
            return super().export_action(request)
        except IncorrectLookupParameters as exc:
            detail = f" ({exc})" if str(exc) else ""
            return HttpResponseBadRequest(f"Invalid filter in the address{detail}.")

    def has_export_permission(self, request):
        # Moderators decide on screen; a file of what they may read would leave with them.
        role = request_role(request)
        return role not in (Role.NONE, Role.MODERATOR) and self.has_view_permission(request)

    def get_export_resource_classes(self, request):
        """Every export neutralises formula-like cells (common.spreadsheet: a cell starting
        with =, +, -, @ or a tab would run when the file is opened in a spreadsheet): the
        declared resources, or the model's default one, built on SafeExportResource."""
        declared = self.resource_classes or [None]
        return [safe_export_resource(cls, self.model) for cls in declared]

    def has_import_permission(self, request):
        return bool(self.resource_classes) and self.has_add_permission(request)
