"""Hooks for the Listing admin (owned by the back-office): mix `ListingImportAdminMixin` in
before the admin's base class to get

- the listing import formats (CSV with encoding/delimiter detection, XLSX) and CSV/XLSX export;
- the file's own message when it cannot be read (instead of "UnicodeDecodeError encountered");
- big files (above LISTING_IMPORT_ASYNC_BYTES, or with more than LISTING_IMPORT_ASYNC_ROWS
  rows: listings.imports.needs_worker decides) handed to a Celery job instead of a preview,
  and files above LISTING_IMPORT_MAX_BYTES refused before anything is stored.

    class ListingAdmin(ListingImportAdminMixin, BackofficeAdmin):
        resource_classes = [ListingResource]
"""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import NoReverseMatch, reverse

from common.errors import DomainError
from listings import imports

from .listings import EXPORT_FORMATS, IMPORT_FORMATS


class ListingImportAdminMixin:
    import_formats = IMPORT_FORMATS
    export_formats = EXPORT_FORMATS

    def add_success_message(self, result, request):
        """What happened, in words; a listing import never deletes, so no "0 deleted"."""
        totals = result.totals
        messages.success(
            request,
            f"Import finished: {totals['new']} new, {totals['update']} updated, "
            f"{totals['skip']} unchanged listings.",
        )

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, DomainError):
            form.add_error("import_file", e.message)
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def import_action(self, request, **kwargs):
        upload = request.FILES.get("import_file") if request.method == "POST" else None
        if upload is None or not self.has_import_permission(request):
            return super().import_action(request, **kwargs)  # raises PermissionDenied if so
        content = None
        if upload.size <= imports.async_threshold_bytes():
            content = upload.read()  # small enough to hold; counted, then read again below
            upload.seek(0)
        if not imports.needs_worker(content, upload.size):
            return super().import_action(request, **kwargs)
        try:
            if upload.size > imports.max_file_bytes():
                # Refuse without reading 50 MB into memory: the message only needs the size.
                raise imports.ImportFileError(
                    f"The file is {upload.size / 1048576:.1f} MB; the limit is "
                    f"{imports.max_file_bytes() / 1048576:.1f} MB. Split it into smaller files.",
                    "import_file_too_big",
                )
            job = imports.listing_import_job_start(
                user=request.user, content=content or upload.read(), file_name=upload.name
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(request.get_full_path())
        messages.info(
            request,
            f"{upload.name} is big, so it is imported in the background. This page shows its "
            "progress and, when it is done, the counts and any invalid rows; nothing is "
            "written if any row is invalid.",
        )
        return HttpResponseRedirect(_job_url(self.admin_site.name, job))


def _job_url(site_name: str, job) -> str:
    try:
        return reverse(f"{site_name}:listings_listingimportjob_change", args=[job.pk])
    except NoReverseMatch:  # the job admin is not registered: back to the listings
        return reverse(f"{site_name}:listings_listing_changelist")
