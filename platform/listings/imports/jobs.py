"""Big files: a job record and a Celery task (listings.tasks, queue `imports`).

A file the web request should not import itself (imports.files.needs_worker) is stored on a
ListingImportJob and handed to a worker on commit; the job records progress, a heartbeat and
the outcome, which the back-office shows. A recovery sweep re-dispatches jobs whose message
was lost and re-runs (a few times) jobs whose worker died.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from datetime import timedelta

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from common.background import enqueue_on_commit
from common.errors import DomainError

from ..models import ListingImportJob
from .files import max_file_bytes, read_listing_file
from .service import listing_import_run

logger = logging.getLogger(__name__)


def listing_import_job_start(*, user, content: bytes, file_name: str, dry_run: bool = False):
    """Record a big file and hand it to a worker; the job shows progress and the result.
    The size limit is checked now, so a refused file never reaches the queue."""
    if len(content) > max_file_bytes():
        read_listing_file(content, file_name)  # raises the size message
    job = ListingImportJob.objects.create(
        user=user, file_name=file_name[:255], file_size=len(content), source=content,
        dry_run=dry_run,
    )  # fmt: skip
    _dispatch(job.pk)
    return job


def _dispatch(job_id) -> None:
    from ..tasks import run_listing_import_job

    enqueue_on_commit(run_listing_import_job, str(job_id))


def import_heartbeat_seconds() -> int:
    return getattr(settings, "LISTING_IMPORT_HEARTBEAT_SECONDS", 5)


def import_dead_after_seconds() -> int:
    """A running job whose heartbeat is older than this has lost its worker."""
    return getattr(settings, "LISTING_IMPORT_DEAD_AFTER_SECONDS", 60)


IMPORT_MAX_ATTEMPTS = 3


@contextlib.contextmanager
def _heartbeat(job_id):
    """Stamp the job's heartbeat from a side thread while the block runs (a long evaluation or
    bulk write gives no other sign of life). The thread closes its own database connection."""
    from django.db import connection

    stop = threading.Event()

    def beat():
        try:
            while not stop.wait(import_heartbeat_seconds()):
                ListingImportJob.objects.filter(pk=job_id).update(heartbeat_at=timezone.now())
        except Exception:  # a missed beat only makes the job look older; the run goes on
            logger.warning("Import %s: heartbeat stopped", job_id, exc_info=True)
        finally:
            connection.close()

    thread = threading.Thread(target=beat, name=f"import-heartbeat-{job_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=30)


def listing_import_job_run(*, job) -> None:
    """Run a pending job (called by the task under the importing user's actor). Safe to call
    twice: only the caller whose UPDATE moves the job from pending to running runs it."""
    Status = ListingImportJob.Status
    now = timezone.now()
    claimed = ListingImportJob.objects.filter(pk=job.pk, status=Status.PENDING).update(
        status=Status.RUNNING, heartbeat_at=now, updated_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return  # a redelivered or duplicate task: the first run owns the job
    job.refresh_from_db()

    def progress(done: int, total: int) -> None:
        ListingImportJob.objects.filter(pk=job.pk).update(
            processed_rows=done, total_rows=total, heartbeat_at=timezone.now()
        )

    with _heartbeat(job.pk):
        _run_claimed(job, progress)


def _run_claimed(job, progress) -> None:
    Status = ListingImportJob.Status
    try:
        report = listing_import_run(
            user=job.user, content=bytes(job.source or b""), file_name=job.file_name,
            dry_run=job.dry_run, progress=progress,
        )  # fmt: skip
    except DomainError as exc:
        job.status, job.message = Status.FAILED, exc.message
    else:
        counts = report.counts
        job.total_rows = job.processed_rows = len(report.outcomes)
        job.new_count, job.updated_count = counts["new"], counts["updated"]
        job.unchanged_count, job.invalid_count = counts["unchanged"], counts["invalid"]
        job.error_report = [o.as_report() for o in report.invalid[:ERROR_REPORT_LIMIT]]
        if report.has_invalid:
            job.status = Status.REJECTED
            job.message = (f"{job.invalid_count} invalid row(s); nothing was imported. Fix "
                           "them and import the file again.")  # fmt: skip
        elif job.dry_run:
            job.status = Status.VALIDATED
            job.message = (
                "The file is valid: {new} new, {updated} updated, {unchanged} "
                "unchanged. Nothing was written (dry run).".format(**counts)
            )
        else:
            job.status = Status.IMPORTED
            job.message = "Imported: {new} new, {updated} updated, {unchanged} unchanged.".format(
                **counts
            )
    job.source = None  # the bytes are not kept once read
    job.finished_at = timezone.now()
    job.save()


def listing_import_jobs_recover(*, now=None) -> int:
    """Recovery sweep: a pending job whose message was lost is dispatched again; a running job
    whose worker died (no heartbeat) is run again, or marked failed with the reason after
    IMPORT_MAX_ATTEMPTS runs. Returns how many jobs were re-dispatched or failed."""
    Status = ListingImportJob.Status
    now = now or timezone.now()
    dead_before = now - timedelta(seconds=import_dead_after_seconds())
    recovered = 0
    lost = ListingImportJob.objects.filter(status=Status.PENDING, updated_at__lt=dead_before)
    for job_id in list(lost.values_list("pk", flat=True)):
        # stamped so a job merely waiting behind others is re-sent once per period, not always
        ListingImportJob.objects.filter(pk=job_id, status=Status.PENDING).update(updated_at=now)
        _dispatch(job_id)
        recovered += 1
    dead = ListingImportJob.objects.filter(status=Status.RUNNING, heartbeat_at__lt=dead_before)
    for job_id, attempts in list(dead.values_list("pk", "attempts")):
        if attempts < IMPORT_MAX_ATTEMPTS:
            changed = ListingImportJob.objects.filter(
                pk=job_id, status=Status.RUNNING, heartbeat_at__lt=dead_before
            ).update(status=Status.PENDING, updated_at=now, processed_rows=0)
            if changed:
                _dispatch(job_id)
        else:
            changed = ListingImportJob.objects.filter(
                pk=job_id, status=Status.RUNNING, heartbeat_at__lt=dead_before
            ).update(
                status=Status.FAILED, source=None, finished_at=now, updated_at=now,
                message=(f"The worker running this import stopped {attempts} times (no sign of "
                         "life for over a minute); nothing was imported. Try a smaller file."),
            )  # fmt: skip
        recovered += changed
    return recovered


ERROR_REPORT_LIMIT = 1000  # the first invalid rows are enough to fix a file
