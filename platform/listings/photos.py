"""Listing photos: checked by content, re-encoded without metadata, rendered in three sizes.

An upload is trusted for nothing: its name and declared type are ignored, Pillow decides what
it is. Only JPEG, PNG and WebP are kept, up to LISTING_PHOTO_MAX_BYTES and
LISTING_PHOTO_MAX_PIXELS (checked from the header, before any pixel is decoded, so a
decompression bomb is refused cheaply). The stored file is a fresh encoding of the decoded
pixels: EXIF (GPS position, camera serial numbers) and any other metadata or trailing bytes are
gone; the EXIF orientation is applied first so the photo still stands the right way up.

Files go through Django's storage API (`default_storage`): the local file system by default, an
S3-compatible bucket with django-storages (see the README).
"""

from __future__ import annotations

import io
import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from PIL import Image, ImageOps, UnidentifiedImageError

from common.actor import attributed_to
from common.background import enqueue_on_commit
from common.errors import DomainError, ValidationFailed

from .cache import listings_changed
from .models import ListingPhoto
from .permissions import ensure_can_manage_listing

logger = logging.getLogger(__name__)

FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
# Long edge in pixels of each rendition (never upscaled).
RENDITIONS = {"thumbnail": 320, "card": 720, "large": 1600}
MAX_PHOTOS_PER_LISTING = 50
CAPTION_MAX_LENGTH = ListingPhoto._meta.get_field("caption").max_length


def max_bytes() -> int:
    return settings.LISTING_PHOTO_MAX_BYTES


def max_pixels() -> int:
    return settings.LISTING_PHOTO_MAX_PIXELS


def _invalid(code: str, message: str) -> ValidationFailed:
    return ValidationFailed(code, message, field="image")


def _read_bounded(upload) -> bytes:
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes():
        raise _too_big()
    upload.seek(0)
    data = upload.read(max_bytes() + 1)
    if len(data) > max_bytes():
        raise _too_big()
    if not data:
        raise _invalid("photo_invalid", "The file is empty.")
    return data


def _too_big() -> ValidationFailed:
    return _invalid("photo_too_large", f"A photo may be at most {max_bytes() // 1_000_000} MB.")


def photo_clean(upload) -> tuple[bytes, str]:
    """The upload re-encoded without metadata, and its file extension; or a clear refusal."""
    data = _read_bounded(upload)
    not_an_image = _invalid("photo_invalid", "The file is not a readable JPEG, PNG or WebP image.")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            width, height = probe.size
            if kind not in FORMATS:
                raise _invalid("photo_format", "Upload a JPEG, PNG or WebP image.")
            if width * height > max_pixels():
                raise _invalid(
                    "photo_too_many_pixels",
                    f"A photo may have at most {max_pixels() // 1_000_000} megapixels.",
                )
            probe.verify()  # structure and checksums, without decoding
        with Image.open(io.BytesIO(data)) as image:
            image.load()  # every pixel: a truncated file fails here
            upright = ImageOps.exif_transpose(image)
            return _encode(upright, kind), FORMATS[kind]
    except ValidationFailed:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        OSError,
        ValueError,
        SyntaxError,
        EOFError,
        TypeError,
        Image.DecompressionBombWarning,
    ):
        raise not_an_image from None


def _encode(image: Image.Image, kind: str) -> bytes:
    """A fresh file from the pixels only: no EXIF, XMP, comments or trailing data."""
    out = io.BytesIO()
    if kind == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(out, "JPEG", quality=88, optimize=True)
    elif kind == "PNG":
        if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
            image = image.convert("RGBA")
        image.save(out, "PNG", optimize=False)
    else:
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
        image.save(out, "WEBP", quality=88)
    return out.getvalue()


def _check_caption(caption) -> str:
    caption = (caption or "").strip()
    if len(caption) > CAPTION_MAX_LENGTH:
        raise ValidationFailed(
            "too_long", f"A caption may have at most {CAPTION_MAX_LENGTH} characters.", "caption"
        )
    if "\x00" in caption:
        raise ValidationFailed("invalid_text", "Text may not contain NUL characters.", "caption")
    return caption


@attributed_to("actor")
@transaction.atomic
def listing_photo_add(*, listing, actor, image, caption: str = "") -> ListingPhoto:
    """Add a photo at the end of the listing's gallery; its renditions follow from a task.
    A refused file stores nothing."""
    ensure_can_manage_listing(listing, actor)
    caption = _check_caption(caption)
    if ListingPhoto.objects.filter(listing=listing).count() >= MAX_PHOTOS_PER_LISTING:
        raise DomainError(
            "too_many_photos", f"A listing may have at most {MAX_PHOTOS_PER_LISTING} photos."
        )
    content, extension = photo_clean(image)
    last = ListingPhoto.objects.filter(listing=listing).aggregate(last=Max("position"))["last"]
    photo = ListingPhoto(listing=listing, caption=caption, position=0 if last is None else last + 1)
    photo.image.save(f"{uuid.uuid4().hex}.{extension}", ContentFile(content), save=False)
    try:
        photo.save()
    except Exception:
        _delete_files([photo.image.name])
        raise
    enqueue_on_commit(render_listing_photo_task(), str(photo.pk))
    return photo


def render_listing_photo_task():
    from .tasks import render_listing_photo  # tasks import this module

    return render_listing_photo


@attributed_to("actor")
@transaction.atomic
def listing_photo_update(*, photo: ListingPhoto, actor, caption=None, position=None):
    """Change a caption, or move the photo to `position` (0 = first); the others shift."""
    ensure_can_manage_listing(photo.listing, actor)
    if caption is not None:
        photo.caption = _check_caption(caption)
        photo.save(update_fields=["caption", "updated_at"])
    if position is not None:
        photos = list(
            ListingPhoto.objects.select_for_update()
            .filter(listing=photo.listing_id)
            .order_by("position", "created_at")
        )
        if not 0 <= position < len(photos):
            raise ValidationFailed(
                "position_invalid", f"Give a position from 0 to {len(photos) - 1}.", "position"
            )
        ordered = [p for p in photos if p.pk != photo.pk]
        ordered.insert(position, photo)
        for index, item in enumerate(ordered):
            if item.position != index:
                item.position = index
                item.save(update_fields=["position", "updated_at"])
        photo.position = position
    return photo


@attributed_to("actor")
@transaction.atomic
def listing_photo_delete(*, photo: ListingPhoto, actor) -> None:
    ensure_can_manage_listing(photo.listing, actor)
    names = [photo.image.name, *photo.renditions.values()]
    photo.delete()
    transaction.on_commit(lambda: _delete_files(names))


def _delete_files(names) -> None:
    for name in names:
        if not name:
            continue
        try:
            default_storage.delete(name)
        except OSError:  # already gone, or the store is down: an orphan file, not an error
            logger.warning("Could not delete %s", name, exc_info=True)


def listing_photo_render(photo_id) -> dict:
    """Write the renditions of one photo (safe to run twice: same names, overwritten)."""
    photo = ListingPhoto.objects.filter(pk=photo_id).first()
    if photo is None:
        return {}
    with photo.image.open("rb") as stored, Image.open(stored) as image:
        image.load()
        kind = image.format if image.format in FORMATS else "JPEG"
        names = {}
        for name, edge in RENDITIONS.items():
            copy = image.copy()
            copy.thumbnail((edge, edge), Image.Resampling.LANCZOS)
            target = f"listings/renditions/{photo.pk}/{name}.{FORMATS[kind]}"
            if default_storage.exists(target):
                default_storage.delete(target)
            names[name] = default_storage.save(target, ContentFile(_encode(copy, kind)))
    ListingPhoto.objects.filter(pk=photo.pk).update(renditions=names, updated_at=timezone.now())
    listings_changed([photo.listing_id])  # an update() sends no signal: tell the read cache
    return names


def listing_photo_renditions_recover(*, now=None) -> int:
    """Recovery sweep: photos still without renditions a few minutes after upload (their task
    was lost) are rendered again."""
    now = now or timezone.now()
    # A day back at most: a photo that cannot be rendered is not retried forever.
    stale = ListingPhoto.objects.filter(
        renditions={},
        created_at__lt=now - timedelta(minutes=5),
        created_at__gt=now - timedelta(days=1),
    ).values_list("pk", flat=True)[:100]
    task = render_listing_photo_task()
    count = 0
    for photo_id in stale:
        enqueue_on_commit(task, str(photo_id))
        count += 1
    return count
