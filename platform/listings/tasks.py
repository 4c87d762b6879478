"""Thin Celery wrappers over listings services."""

from celery import shared_task

from common.actor import acting_as

from . import imports
from .models import ListingImportJob


@shared_task(name="listings.run_import_job")
def run_listing_import_job(job_id: str) -> str:
    """Import a big file in the background; history is attributed to the importing user."""
    job = ListingImportJob.objects.select_related("user").filter(pk=job_id).first()
    if job is None:
        return "missing"
    with acting_as(job.user):
        imports.listing_import_job_run(job=job)
    return job.status
