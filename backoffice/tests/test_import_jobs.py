"""Listing import jobs in the back-office: read-only, scoped, with the error report."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from listings.models import Listing, ListingImportJob
from tests.factories import AmenityFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:listings_listingimportjob_changelist"
ERROR_REPORT = [
    {"row": 2, "external_id": "A2", "errors": {"nightly_price": ["'cheap' is not a number."]}},
    {"row": 5, "external_id": "=evil", "errors": {"__all__": ["Unknown amenity: jacuzzi."]}},
]


def rejected_job(user, file_name="big.csv"):
    return ListingImportJob.objects.create(
        user=user, file_name=file_name, file_size=3 * 1048576, status="rejected",
        total_rows=5, processed_rows=5, new_count=3, invalid_count=2,
        message="2 invalid row(s); nothing was imported.", error_report=ERROR_REPORT,
    )  # fmt: skip


def change_url(job):
    return reverse("admin:listings_listingimportjob_change", args=[job.pk])


def errors_url(job):
    return reverse("admin:listings_listingimportjob_csv", args=[job.pk])


def test_host_sees_only_their_own_jobs(as_host, host, other_host):
    mine, theirs = rejected_job(host, "mine.csv"), rejected_job(other_host, "theirs.csv")

    listing = as_host.get(reverse(CHANGELIST)).content.decode()

    assert "mine.csv" in listing and "theirs.csv" not in listing
    assert as_host.get(change_url(mine)).status_code == 200
    assert as_host.get(change_url(theirs)).status_code == 404
    assert as_host.get(errors_url(theirs)).status_code == 404


def test_job_page_shows_status_counts_and_invalid_rows(as_host, host):
    job = rejected_job(host)

    body = as_host.get(change_url(job)).content.decode()

    assert "Rejected: the file has invalid rows, nothing written" in body
    assert "5 / 5 rows" in body
    assert "&#x27;cheap&#x27; is not a number." in body and "Unknown amenity: jacuzzi." in body
    assert errors_url(job) in body
    assert 'name="_save"' not in body


def test_error_report_downloads_as_csv_with_formulas_neutralised(as_host, host):
    response = as_host.get(errors_url(rejected_job(host)))

    assert response["Content-Type"] == "text/csv"
    lines = response.content.decode().splitlines()
    assert lines[0] == "row,external_id,field,message"
    assert lines[1] == "2,A2,nightly_price,'cheap' is not a number."
    assert lines[2] == "5,'=evil,__all__,Unknown amenity: jacuzzi."


def test_staff_see_all_jobs_auditors_read_moderators_nothing(
    as_staff, as_auditor, as_moderator, host, other_host
):
    job = rejected_job(host, "mine.csv")
    rejected_job(other_host, "theirs.csv")
    for client in (as_staff, as_auditor):
        body = client.get(reverse(CHANGELIST)).content.decode()
        assert "mine.csv" in body and "theirs.csv" in body
    assert 'name="_save"' not in as_auditor.get(change_url(job)).content.decode()
    assert as_auditor.post(change_url(job), {"file_name": "x"}).status_code == 403
    assert as_moderator.get(reverse(CHANGELIST)).status_code == 403


def test_nobody_adds_changes_or_deletes_jobs(as_staff, host):
    job = rejected_job(host)
    assert as_staff.get(reverse("admin:listings_listingimportjob_add")).status_code == 403
    assert as_staff.post(change_url(job), {"file_name": "renamed.csv"}).status_code == 403
    delete = reverse("admin:listings_listingimportjob_delete", args=[job.pk])
    assert as_staff.post(delete, {"post": "yes"}).status_code == 403
    job.refresh_from_db()
    assert job.file_name == "big.csv"


def test_a_big_file_lands_on_its_job_page(
    as_host, host, settings, django_capture_on_commit_callbacks
):
    """The import hand-off: above LISTING_IMPORT_ASYNC_BYTES the person is taken to the job."""
    AmenityFactory(slug="wifi")
    settings.LISTING_IMPORT_ASYNC_BYTES = 10
    text = "external_id,title,city,country,nightly_price,amenities\nA1,Flat,Porto,PT,80,wifi\n"
    file = SimpleUploadedFile("big.csv", text.encode(), content_type="text/csv")

    with django_capture_on_commit_callbacks(execute=True):
        response = as_host.post(
            reverse("admin:listings_listing_import"), {"import_file": file, "format": "0"}
        )

    job = ListingImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == change_url(job)
    page = as_host.get(response["Location"]).content.decode()
    assert "big.csv is big, so it is imported in the background" in page
    assert "Imported: 1 new, 0 updated, 0 unchanged." in page
    assert Listing.objects.get().host == host


def test_import_jobs_are_in_the_sidebar_under_listings(as_host):
    page = as_host.get(reverse("admin:index"))
    groups = {g["title"]: g["items"] for g in page.context["sidebar_navigation"]}
    links = [item["link"] for item in groups["Listings"]]
    assert reverse(CHANGELIST) in links


def test_a_file_with_more_rows_than_the_threshold_goes_to_the_worker(
    as_host, host, settings, django_capture_on_commit_callbacks
):
    """A small file by bytes but with more rows than LISTING_IMPORT_ASYNC_ROWS is not imported
    inside the request: it becomes a job on the imports queue."""
    AmenityFactory(slug="wifi")
    settings.LISTING_IMPORT_ASYNC_ROWS = 2
    lines = [f"A{n},Flat {n},Porto,PT,80,wifi" for n in range(3)]
    text = "external_id,title,city,country,nightly_price,amenities\n" + "\n".join(lines) + "\n"
    file = SimpleUploadedFile("rows.csv", text.encode(), content_type="text/csv")

    with django_capture_on_commit_callbacks() as callbacks:
        response = as_host.post(
            reverse("admin:listings_listing_import"), {"import_file": file, "format": "0"}
        )

    job = ListingImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == change_url(job)
    assert job.status == "pending" and not Listing.objects.exists()  # the request wrote nothing
    for callback in callbacks:  # on commit: the task (eager here) runs the job
        callback()
    job.refresh_from_db()
    assert (job.status, job.new_count) == ("imported", 3)
    assert Listing.objects.filter(host=host).count() == 3


def test_a_file_under_both_thresholds_is_previewed_in_the_request(as_host, settings):
    AmenityFactory(slug="wifi")
    settings.LISTING_IMPORT_ASYNC_ROWS = 3
    text = "external_id,title,city,country,nightly_price,amenities\nA1,Flat,Porto,PT,80,wifi\n"
    file = SimpleUploadedFile("small.csv", text.encode(), content_type="text/csv")

    response = as_host.post(
        reverse("admin:listings_listing_import"), {"import_file": file, "format": "0"}
    )

    assert response.status_code == 200 and "confirm_form" in response.context
    assert not ListingImportJob.objects.exists()
