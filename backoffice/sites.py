"""The back-office AdminSite: unfold's site, opened to hosts, moderators and auditors."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from unfold.sites import UnfoldAdminSite

from .roles import Role, request_role


class BackofficeSite(UnfoldAdminSite):
    site_header = "StayBook"
    site_title = "StayBook back-office"
    index_title = "Dashboard"

    def has_permission(self, request):
        """Staff as usual; hosts, moderators and auditors without the staff flag. What each of
        them may see is decided per model by backoffice.admin.base.ScopedAdminMixin."""
        return request_role(request) != Role.NONE

    def search(self, request, extra_context=None):
        """unfold's sidebar search matches menu entries only; records come first here. (The
        command palette gets them through COMMAND["search_callback"].)"""
        from django.core.paginator import Paginator

        from .search import record_search

        response = super().search(request, extra_context)
        context = getattr(response, "context_data", None)
        if not context or "extended" in request.GET:
            return response
        records = record_search(request, request.GET.get("s", ""))
        if records:
            paginator = Paginator([*records, *context["results"].object_list], 100)
            context.update({"page_obj": paginator, "results": paginator.page(1)})
        return response

    def extra_urls(self):
        from .audit_views import audit_actors_json, audit_timeline_csv, audit_timeline_view
        from .calendar_views import calendar_timeline_view, listing_calendar_view
        from .conversation_views import booking_conversation_view, conversation_view, inbox_view
        from .docs import kpi_definitions_view
        from .import_help import amenity_slugs_view, import_template_xlsx
        from .statement_views import statements_view

        site = {"site": self}  # the views get the site passed in; they never import this module
        return [
            path(
                "calendar/",
                self.admin_view(calendar_timeline_view),
                site,
                name="calendar_timeline",
            ),
            path(
                "calendar/<uuid:listing_id>/",
                self.admin_view(listing_calendar_view),
                site,
                name="calendar_listing",
            ),
            path("kpis/", self.admin_view(kpi_definitions_view), site, name="kpi_definitions"),
            path("amenities/", self.admin_view(amenity_slugs_view), name="amenity_slugs"),
            path(
                "listings-import-template.xlsx",
                self.admin_view(import_template_xlsx),
                name="listing_import_template_xlsx",
            ),
            path("audit/", self.admin_view(audit_timeline_view), site, name="audit_timeline"),
            path("audit/export.csv", self.admin_view(audit_timeline_csv), site, name="audit_csv"),
            path(
                "audit/people.json", self.admin_view(audit_actors_json), site, name="audit_actors"
            ),
            path("messages/", self.admin_view(inbox_view), site, name="inbox"),
            path(
                "messages/<uuid:conversation_id>/",
                self.admin_view(conversation_view),
                site,
                name="conversation",
            ),
            path(
                "messages/booking/<uuid:booking_id>/",
                self.admin_view(booking_conversation_view),
                site,
                name="booking_conversation",
            ),
            path("payouts/statements/", self.admin_view(statements_view), site, name="statements"),
            path("payouts/", self.admin_view(self.payouts_view), name="payouts"),
        ]

    def payouts_view(self, request):
        """The old address of the payouts page: the payouts list (ModelAdmin) now."""
        if request_role(request) not in (Role.STAFF, Role.HOST, Role.AUDITOR):
            raise PermissionDenied
        return HttpResponseRedirect(reverse("admin:payments_payout_changelist"))


site = BackofficeSite(name="admin")
