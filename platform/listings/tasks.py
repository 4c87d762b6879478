"""Thin Celery wrappers over listings services (queue `imports`)."""

from celery import shared_task

from common.actor import acting_as

from . import imports, photos
from .models import ListingImportJob


# A 20 MB file takes minutes on a busy machine: generous limits for this queue only.
@shared_task(name="listings.run_import_job", soft_time_limit=1800, time_limit=1860)
def run_listing_import_job(job_id: str) -> str:
    """Import a big file in the background; history is attributed to the importing user."""
    job = ListingImportJob.objects.select_related("user").filter(pk=job_id).first()
    if job is None:
        return "missing"
    with acting_as(job.user):
        imports.listing_import_job_run(job=job)
    job.refresh_from_db(fields=["status"])
    return job.status


@shared_task(name="listings.render_photo", soft_time_limit=120, time_limit=150)
def render_listing_photo(photo_id: str) -> dict:
    """The thumbnail, card and large copies of an uploaded photo."""
    return photos.listing_photo_render(photo_id)
