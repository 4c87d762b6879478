"""Photo uploads through REST: multipart, checked by content, clear 400s, host only."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from listings.models import ListingPhoto

pytestmark = pytest.mark.django_db


def jpeg(size=(120, 80)) -> bytes:
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    Image.new("RGB", size, (10, 120, 200)).save(out, "JPEG", exif=exif)
    return out.getvalue()


def post_photo(client, listing, data, name="sea.jpg", **fields):
    return client.post(
        f"/api/v1/listings/{listing.pk}/photos/",
        {"image": SimpleUploadedFile(name, data, content_type="image/jpeg"), **fields},
        format="multipart",
    )


def test_a_host_uploads_sees_renditions_reorders_and_deletes(
    as_host, anon, listing, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the rendering task runs on commit
        response = post_photo(as_host, listing, jpeg((2000, 1000)), caption="Terrace")
    assert response.status_code == 201, response.content
    photo = response.json()
    assert photo["caption"] == "Terrace" and photo["position"] == 0
    assert photo["url"].startswith("http://testserver/media/listings/")

    url = f"/api/v1/listings/{listing.pk}/photos/{photo['id']}/"
    renditions = as_host.get(url).json()["renditions"]
    assert set(renditions) == {"thumbnail", "card", "large"}
    assert all(value.startswith("http://testserver/media/") for value in renditions.values())
    assert anon.get(f"/api/v1/listings/{listing.pk}/").json()["photos"][0]["caption"] == "Terrace"

    second = post_photo(as_host, listing, jpeg()).json()
    moved = as_host.patch(
        f"/api/v1/listings/{listing.pk}/photos/{second['id']}/", {"position": 0}, format="json"
    )
    assert moved.json()["position"] == 0
    assert as_host.get(url).json()["position"] == 1
    assert as_host.delete(url).status_code == 204
    assert [str(pk) for pk in ListingPhoto.objects.values_list("pk", flat=True)] == [second["id"]]


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"%PDF-1.4 not an image", "photo.jpg", "photo_invalid"),
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "photo.gif", "photo_invalid"),
    ],
)
def test_bad_files_are_clear_400s_that_store_nothing(as_host, listing, data, name, code):
    response = post_photo(as_host, listing, data, name)
    assert response.status_code == 400, response.content
    assert response.json()["code"] == code
    assert "image" in response.json()
    assert not ListingPhoto.objects.exists()


def test_missing_file_oversized_body_and_json_are_refused(as_host, listing, settings):
    url = f"/api/v1/listings/{listing.pk}/photos/"
    assert as_host.post(url, {"caption": "x"}, format="multipart").status_code == 400
    assert as_host.post(url, {"image": "x"}, format="json").status_code == 415
    settings.LISTING_PHOTO_MAX_BYTES = 1000
    response = post_photo(as_host, listing, jpeg((600, 600)) + b"\x00" * 70_000)
    assert response.status_code == 400
    assert "at most" in response.json()["detail"]
    assert not ListingPhoto.objects.exists()


def test_other_hosts_are_refused(as_other_host, anon, listing):
    response = post_photo(as_other_host, listing, jpeg())
    assert (response.status_code, response.json()["code"]) == (403, "not_listing_host")
    assert post_photo(anon, listing, jpeg()).status_code == 401
    assert not ListingPhoto.objects.exists()
