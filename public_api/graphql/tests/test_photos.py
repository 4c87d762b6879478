"""Photos through GraphQL: renditions on the listing, caption, order and delete by the host."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from listings.models import ListingPhoto
from listings.photos import listing_photo_add, listing_photo_render

from .conftest import error_codes

pytestmark = pytest.mark.django_db

UPDATE = """mutation($l: UUID!, $p: UUID!, $caption: String, $position: Int) {
  updateListingPhoto(input: {listingId: $l, photoId: $p, caption: $caption, position: $position})
  { photo { id caption position } errors { field code message } } }"""
DELETE = """mutation($l: UUID!, $p: UUID!) {
  deleteListingPhoto(input: {listingId: $l, photoId: $p}) { deleted errors { code } } }"""


def add(listing, host, size=(900, 600)):
    out = io.BytesIO()
    Image.new("RGB", size, (1, 2, 3)).save(out, "JPEG")
    return listing_photo_add(
        listing=listing, actor=host, image=SimpleUploadedFile("a.jpg", out.getvalue())
    )


def test_the_listing_shows_renditions_and_the_host_reorders(gql, host, listing):
    first, second = add(listing, host), add(listing, host)
    listing_photo_render(first.pk)
    photos = gql.data(
        "query($id: UUID!) { listing(id: $id) { photos { id position renditions"
        " { thumbnail card large } } } }",
        {"id": str(listing.pk)},
    )["listing"]["photos"]
    assert [p["id"] for p in photos] == [str(first.pk), str(second.pk)]
    assert photos[0]["renditions"]["card"].startswith("http://testserver/media/")
    assert photos[1]["renditions"] == {"thumbnail": None, "card": None, "large": None}

    variables = {"l": str(listing.pk), "p": str(second.pk), "caption": "Pool", "position": 0}
    payload = gql.data(UPDATE, variables, user=host)["updateListingPhoto"]
    assert payload == {
        "photo": {"id": str(second.pk), "caption": "Pool", "position": 0}, "errors": []
    }  # fmt: skip
    bad = gql.data(UPDATE, {**variables, "position": 9}, user=host)["updateListingPhoto"]
    assert bad["errors"][0]["code"] == "position_invalid"
    assert bad["errors"][0]["field"] == "position"
    deleted = gql.data(DELETE, {"l": str(listing.pk), "p": str(first.pk)}, user=host)
    assert deleted["deleteListingPhoto"] == {"deleted": True, "errors": []}
    assert list(ListingPhoto.objects.values_list("pk", flat=True)) == [second.pk]


def test_other_hosts_are_refused(gql, host, other_host, listing):
    photo = add(listing, host)
    variables = {"l": str(listing.pk), "p": str(photo.pk), "caption": "Mine"}
    payload = gql.data(UPDATE, variables, user=other_host)["updateListingPhoto"]
    assert error_codes(payload) == ["not_listing_host"]
    payload = gql.data(DELETE, {"l": str(listing.pk), "p": str(photo.pk)}, user=other_host)
    assert error_codes(payload["deleteListingPhoto"]) == ["not_listing_host"]
    assert ListingPhoto.objects.get().caption == ""
