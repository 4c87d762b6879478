"""The listing import through the admin's own views (preview, then confirm), as a host."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from listings.models import Listing
from tests.factories import AmenityFactory

pytestmark = pytest.mark.django_db

HEADER = "external_id,title,city,country,nightly_price,amenities\n"


def upload(client, text: str):
    file = SimpleUploadedFile("listings.csv", text.encode(), content_type="text/csv")
    return client.post(
        reverse("admin:listings_listing_import"),
        {"import_file": file, "format": "0", "resource": "0"},
    )


@pytest.fixture(autouse=True)
def wifi():
    return AmenityFactory(slug="wifi")


def test_preview_shows_the_bad_row_and_offers_no_confirm(as_host):
    response = upload(as_host, HEADER + "A1,Flat,Porto,PT,80,wifi\nA2,Flat,Porto,PT,80,jacuzzi\n")

    assert response.status_code == 200
    assert "Unknown amenity: jacuzzi." in response.content.decode()
    assert "confirm_form" not in response.context
    assert not Listing.objects.exists()


def test_clean_file_is_written_on_confirm_with_the_host_as_actor(as_host, host):
    preview = upload(as_host, HEADER + "A1,Flat one,Porto,PT,80,wifi\nA2,Flat two,Porto,PT,90,\n")
    confirm_form = preview.context["confirm_form"]
    assert not Listing.objects.exists()

    response = as_host.post(
        reverse("admin:listings_listing_process_import"), confirm_form.initial, follow=True
    )

    assert response.status_code == 200
    assert set(Listing.objects.values_list("external_id", flat=True)) == {"A1", "A2"}
    for listing in Listing.objects.all():
        assert listing.host == host
        assert listing.history.get().history_actor == "user:host@example.test"


def listing_admin():
    """The registered Listing admin, which mixes in ListingImportAdminMixin."""
    from backoffice.resources.admin import ListingImportAdminMixin
    from backoffice.sites import site

    model_admin = site._registry[Listing]
    assert isinstance(model_admin, ListingImportAdminMixin)
    return model_admin


def post_request(rf, user, text: bytes):
    from django.contrib.messages.storage.fallback import FallbackStorage

    file = SimpleUploadedFile("big.csv", text, content_type="text/csv")
    request = rf.post("/admin/listings/listing/import/", {"import_file": file, "format": "0"})
    request.user, request.session = user, {}
    request._messages = FallbackStorage(request)
    return request


def test_mixin_hands_a_big_file_to_a_job(rf, host, settings, django_capture_on_commit_callbacks):
    from listings.models import ListingImportJob

    settings.LISTING_IMPORT_ASYNC_BYTES = 10
    request = post_request(rf, host, (HEADER + "A1,Flat,Porto,PT,80,wifi\n").encode())

    with django_capture_on_commit_callbacks(execute=True):
        response = listing_admin().import_action(request)

    assert response.status_code == 302
    job = ListingImportJob.objects.get()
    assert (job.user, job.status, job.new_count) == (host, "imported", 1)
    assert Listing.objects.get().host == host


def test_mixin_refuses_a_file_over_the_limit_without_a_job(rf, host, settings):
    from listings.models import ListingImportJob

    settings.LISTING_IMPORT_ASYNC_BYTES, settings.LISTING_IMPORT_MAX_BYTES = 10, 100
    request = post_request(rf, host, (HEADER + "A1,Flat,Porto,PT,80,wifi\n" * 10).encode())

    response = listing_admin().import_action(request)

    assert response.status_code == 302
    assert "the limit is 0.0 MB" in [str(m) for m in request._messages][0]
    assert not ListingImportJob.objects.exists()


def test_the_preview_shows_every_error_of_a_row_at_once(as_host):
    response = upload(as_host, HEADER + "A1,,Porto,Portugal,cheap,jacuzzi\n")

    body = response.content.decode()
    for message in ("title is required.", "Ensure this value has at most 2 characters",
                    "&#x27;cheap&#x27; is not a number", "Unknown amenity: jacuzzi."):  # fmt: skip
        assert message in body, message
    assert "confirm_form" not in response.context
