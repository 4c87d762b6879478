"""Listing import jobs: the big files handed to Celery (listings.imports), shown read-only.

Nobody edits a job here: the task writes it. A job page shows the status, the progress, the
counts and the invalid rows, which can also be downloaded as CSV to fix the file.
"""

import csv

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.decorators import display

from common.spreadsheet import csv_cell
from listings.models import ListingImportJob

from ..roles import Role, request_role
from ..sites import site
from .scoping import ScopedAdminMixin

STATUS_LABELS = {
    "pending": "info",
    "running": "warning",
    "imported": "success",
    "validated": "success",
    "rejected": "danger",
    "failed": "danger",
}


@admin.register(ListingImportJob, site=site)
class ListingImportJobAdmin(ScopedAdminMixin, ModelAdmin):
    host_lookup = "user"  # a host sees the jobs they started
    list_display = (
        "file_name",
        "user",
        "status_badge",
        "progress",
        "new_count",
        "updated_count",
        "unchanged_count",
        "invalid_count",
        "created_at",
        "finished_at",
    )
    list_select_related = ("user",)
    list_filter = ("status",)
    search_fields = ("file_name", "user__email")
    ordering = ("-created_at",)
    list_per_page = 50
    show_full_result_count = False
    actions = None
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "file_name",
                    "user",
                    "status_badge",
                    "message",
                    "progress",
                    ("new_count", "updated_count", "unchanged_count", "invalid_count"),
                    ("file_size_display", "dry_run"),
                    ("created_at", "finished_at"),
                    "error_rows",
                )
            },
        ),
    )
    readonly_fields = [
        name
        for row in fieldsets[0][1]["fields"]
        for name in (row if isinstance(row, tuple) else (row,))
    ]

    # --- read-only for everyone; hosts see their own (they may import: add_listing) ---------

    def has_view_permission(self, request, obj=None):
        if request_role(request) == Role.HOST:
            # Hosts hold no permission on the job model: starting an import (add_listing) is
            # what lets them follow the jobs they started. Scope: host_lookup = "user".
            return request.user.has_perm("listings.add_listing") and (
                obj is None or self.owns(request, obj)
            )
        return super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return False  # jobs start from Listings → Import with a big file

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        errors_csv = self.admin_site.admin_view(self.errors_csv_view)
        return [
            path("<path:object_id>/errors.csv", errors_csv, name="listings_listingimportjob_csv"),
            *super().get_urls(),
        ]

    def errors_csv_view(self, request, object_id):
        """The invalid rows of a job as CSV: row, external_id, field, message (one per line)."""
        job = self.get_object(request, unquote(object_id))  # 404 outside the person's scope
        response = HttpResponse(content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
        writer = csv.writer(response)
        writer.writerow(["row", "external_id", "field", "message"])
        for entry in job.error_report or []:
            for field, messages in (entry.get("errors") or {}).items():
                for message in messages:
                    cells = [entry.get("row"), entry.get("external_id"), field, message]
                    writer.writerow([csv_cell(c) for c in cells])
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return super().change_view(
            request, object_id, form_url, {**(extra_context or {}), "title": _("Import job")}
        )

    # --- columns -------------------------------------------------------------------------------

    @display(description=_("Status"), ordering="status", label=STATUS_LABELS)
    def status_badge(self, job):
        return job.status, job.get_status_display()

    @display(description=_("Progress"))
    def progress(self, job):
        if job.is_finished:
            return f"{job.processed_rows} / {job.total_rows} rows"
        if not job.total_rows:
            return _("waiting to start (refresh this page)")
        percent = round(100 * job.processed_rows / job.total_rows)
        return f"{job.processed_rows} / {job.total_rows} rows ({percent}%) — refresh to follow"

    @display(description=_("File size"))
    def file_size_display(self, job):
        return f"{job.file_size / 1048576:.1f} MB"

    @display(description=_("Invalid rows"))
    def error_rows(self, job):
        if not job.error_report:
            return "—"
        download = reverse(f"{self.admin_site.name}:listings_listingimportjob_csv", args=[job.pk])
        table = render_to_string(
            "backoffice/import_job_errors.html",
            {"rows": job.error_report, "invalid_count": job.invalid_count},
        )
        return format_html(
            '<a class="text-primary-600 font-semibold" href="{}">{}</a>{}',
            download,
            _("Download the invalid rows (CSV)"),
            table,
        )
