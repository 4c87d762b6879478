"""Photo uploads: checked by content, re-encoded without metadata, rendered in three sizes."""

import io
import os
import subprocess
import sys

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from common.errors import DomainError, NotFound, NotPermitted, ValidationFailed
from listings.models import Listing, ListingPhoto
from listings.photos import (
    listing_photo_add,
    listing_photo_delete,
    listing_photo_render,
    listing_photo_update,
)
from tests.factories import HostFactory, ListingFactory

pytestmark = pytest.mark.django_db

GPS_TAG, ORIENTATION_TAG, MAKE_TAG = 0x8825, 0x0112, 0x010F


def image_bytes(kind="JPEG", size=(64, 48), color=(200, 30, 30), exif=None, mode="RGB") -> bytes:
    out = io.BytesIO()
    image = Image.new(mode, size, color)
    options = {"exif": exif} if exif is not None else {}
    image.save(out, kind, **options)
    return out.getvalue()


def upload(data: bytes, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def exif_with_gps_and_rotation() -> Image.Exif:
    exif = Image.Exif()
    exif[MAKE_TAG] = "SecretCam serial 1234"
    exif[ORIENTATION_TAG] = 6  # rotate 90° clockwise to display
    exif[GPS_TAG] = {1: "N", 2: (38.0, 42.0, 0.0)}
    return exif


@pytest.fixture
def host():
    return HostFactory()


@pytest.fixture
def listing(host):
    return ListingFactory(host=host)


def stored(photo) -> Image.Image:
    with photo.image.open("rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    return image


def test_a_jpeg_is_stored_upright_without_exif(listing, host):
    data = image_bytes(size=(80, 40), exif=exif_with_gps_and_rotation())
    assert b"SecretCam" in data
    photo = listing_photo_add(listing=listing, actor=host, image=upload(data), caption=" Sea ")

    image = stored(photo)
    assert (image.format, image.size) == ("JPEG", (40, 80))  # the orientation was applied
    assert dict(image.getexif()) == {}
    with photo.image.open("rb") as handle:
        assert b"SecretCam" not in handle.read()
    assert (photo.caption, photo.position) == ("Sea", 0)
    assert photo.image.name.endswith(".jpg") and "photo" not in photo.image.name


@pytest.mark.parametrize(("kind", "extension"), [("PNG", "png"), ("WEBP", "webp")])
def test_png_and_webp_keep_their_format(listing, host, kind, extension):
    data = image_bytes(kind, mode="RGBA", color=(0, 0, 255, 128))
    photo = listing_photo_add(listing=listing, actor=host, image=upload(data, "x.jpg"))
    assert stored(photo).format == kind
    assert photo.image.name.endswith(f".{extension}")


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"GIF89a" + image_bytes("GIF", mode="P", color=1)[6:], "photo_format"),
        (image_bytes("BMP"), "photo_format"),
        (b"<?php echo 'hello'; ?>", "photo_invalid"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "photo_invalid"),
        (image_bytes(size=(400, 400))[:300], "photo_invalid"),  # truncated
        (b"", "photo_invalid"),
    ],
    ids=["gif", "bmp", "php", "svg", "truncated", "empty"],
)
def test_other_files_are_refused_and_nothing_is_stored(listing, host, data, code):
    before = _media_files()
    with pytest.raises(ValidationFailed) as refused:
        listing_photo_add(listing=listing, actor=host, image=upload(data))
    assert (refused.value.code, refused.value.field) == (code, "image")
    assert not ListingPhoto.objects.exists()
    assert _media_files() == before


def _media_files() -> set:
    try:
        _dirs, files = default_storage.listdir("listings")
    except FileNotFoundError:
        return set()
    return set(files)


def test_size_and_pixel_limits(listing, host, settings):
    settings.LISTING_PHOTO_MAX_BYTES = 2000
    big = image_bytes("PNG", size=(300, 300), color=(1, 2, 3))
    noisy = Image.effect_noise((200, 200), 90).convert("RGB")
    out = io.BytesIO()
    noisy.save(out, "PNG")
    with pytest.raises(ValidationFailed) as refused:
        listing_photo_add(listing=listing, actor=host, image=upload(out.getvalue()))
    assert refused.value.code == "photo_too_large"

    settings.LISTING_PHOTO_MAX_BYTES = 10_000_000
    settings.LISTING_PHOTO_MAX_PIXELS = 300 * 299
    with pytest.raises(ValidationFailed) as refused:
        listing_photo_add(listing=listing, actor=host, image=upload(big))
    assert refused.value.code == "photo_too_many_pixels"
    assert not ListingPhoto.objects.exists()


def test_renditions_are_made_and_never_upscaled(listing, host):
    data = image_bytes(size=(2000, 1000))
    photo = listing_photo_add(listing=listing, actor=host, image=upload(data))
    names = listing_photo_render(photo.pk)
    assert set(names) == {"thumbnail", "card", "large"}
    sizes = {}
    for name, stored_name in names.items():
        with default_storage.open(stored_name, "rb") as handle:
            sizes[name] = Image.open(handle).size
    assert sizes == {"thumbnail": (320, 160), "card": (720, 360), "large": (1600, 800)}
    photo.refresh_from_db()
    assert photo.renditions == names
    assert listing_photo_render(photo.pk) == names  # twice: the same files

    small = listing_photo_add(listing=listing, actor=host, image=upload(image_bytes()))
    with default_storage.open(listing_photo_render(small.pk)["large"], "rb") as handle:
        assert Image.open(handle).size == (64, 48)


def test_reorder_caption_and_delete(listing, host):
    photos = [
        listing_photo_add(listing=listing, actor=host, image=upload(image_bytes()))
        for _ in range(3)
    ]
    assert [p.position for p in photos] == [0, 1, 2]
    listing_photo_update(photo=photos[2], actor=host, position=0, caption="Terrace")
    order = list(ListingPhoto.objects.order_by("position").values_list("pk", "caption"))
    assert order == [(photos[2].pk, "Terrace"), (photos[0].pk, ""), (photos[1].pk, "")]
    with pytest.raises(ValidationFailed) as refused:
        listing_photo_update(photo=photos[0], actor=host, position=3)
    assert refused.value.code == "position_invalid"

    name = photos[0].image.name
    listing_photo_delete(photo=photos[0], actor=host)
    assert not ListingPhoto.objects.filter(pk=photos[0].pk).exists()
    assert default_storage.exists(name)  # removed only once the deletion commits


def test_deleted_files_go_on_commit(listing, host, django_capture_on_commit_callbacks):
    photo = listing_photo_add(listing=listing, actor=host, image=upload(image_bytes()))
    names = [photo.image.name, *listing_photo_render(photo.pk).values()]
    photo.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        listing_photo_delete(photo=photo, actor=host)
    assert not any(default_storage.exists(name) for name in names)


def test_only_the_host_manages_photos(listing, host):
    stranger = HostFactory()
    with pytest.raises(NotPermitted):
        listing_photo_add(listing=listing, actor=stranger, image=upload(image_bytes()))
    draft = ListingFactory(host=host, status=Listing.Status.DRAFT)
    with pytest.raises(NotFound):
        listing_photo_add(listing=draft, actor=stranger, image=upload(image_bytes()))
    photo = listing_photo_add(listing=listing, actor=host, image=upload(image_bytes()))
    with pytest.raises(DomainError):
        listing_photo_update(photo=photo, actor=stranger, caption="Mine")
    with pytest.raises(DomainError):
        listing_photo_delete(photo=photo, actor=stranger)
    assert ListingPhoto.objects.get().caption == ""


def test_a_bucket_name_moves_media_to_s3_compatible_storage():
    """The documented switch: AWS_STORAGE_BUCKET_NAME (+ endpoint) selects django-storages."""
    code = (
        "import django; django.setup();"
        "from django.core.files.storage import default_storage as s;"
        "s._setup(); w = s._wrapped;"
        "print(type(w).__name__, w.bucket_name, w.endpoint_url, w.querystring_auth)"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "AWS_STORAGE_BUCKET_NAME": "staybook-media",
        "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "S3Storage",
        "staybook-media",
        "http://127.0.0.1:9000",
        "False",
    ]
