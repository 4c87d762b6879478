"""Photos through GraphQL: renditions on the listing, caption, order and delete by the host."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from listings.models import Listing, ListingPhoto
from listings.photos import listing_photo_add, listing_photo_render

from .conftest import URL, bearer, error_codes

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


# --- uploads: the GraphQL multipart request spec ------------------------------------------------

ADD = """mutation($input: AddListingPhotoInput!) { addListingPhoto(input: $input) {
  photo { id caption position url renditions { thumbnail card large } }
  errors { field code message } } }"""


def jpeg_with_exif(size=(1200, 800)) -> bytes:
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    Image.new("RGB", size, (10, 120, 200)).save(out, "JPEG", exif=exif)
    return out.getvalue()


def upload(client, listing, data, *, user=None, caption=None, name="sea.jpg", extra=None):
    """addListingPhoto as a spec client sends it: the file's variable null in `operations`,
    `map` pointing part "0" at it."""
    variables = {"input": {"listingId": str(listing.pk), "image": None, "caption": caption}}
    form = {
        "operations": json.dumps({"query": ADD, "variables": variables}),
        "map": json.dumps({"0": ["variables.input.image"]}),
        "0": SimpleUploadedFile(name, data, content_type="image/jpeg"),
        **(extra or {}),
    }
    return client.post(URL, form, **(bearer(user) if user else {}))


def test_a_host_uploads_through_graphql_like_rest(
    client, host, listing, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the rendering task runs on commit
        response = upload(client, listing, jpeg_with_exif(), user=host, caption="Terrace")
    assert response.status_code == 200, response.content
    payload = response.json()["data"]["addListingPhoto"]
    assert payload["errors"] == []
    photo = payload["photo"]
    assert (photo["caption"], photo["position"]) == ("Terrace", 0)
    assert photo["url"].startswith("http://testserver/media/listings/")
    stored = ListingPhoto.objects.get()
    assert str(stored.pk) == photo["id"]
    with stored.image.open() as f, Image.open(f) as image:
        assert image.format == "JPEG" and not image.getexif()  # metadata stripped by the core
    stored.refresh_from_db()
    assert set(stored.renditions) == {"thumbnail", "card", "large"}
    second = upload(client, listing, jpeg_with_exif((50, 50)), user=host).json()["data"]
    assert second["addListingPhoto"]["photo"]["position"] == 1


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"%PDF-1.4 not an image", "photo.jpg", "photo_invalid"),
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "photo.gif", "photo_invalid"),
        (b"", "empty.jpg", "photo_invalid"),
    ],
)
def test_bad_files_get_the_rest_codes_and_store_nothing(client, host, listing, data, name, code):
    response = upload(client, listing, data, user=host, name=name)
    assert response.status_code == 200, response.content
    payload = response.json()["data"]["addListingPhoto"]
    assert payload["photo"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("image", code)]
    assert not ListingPhoto.objects.exists()


def test_too_large_photos_are_refused_by_the_core_and_before_reading(
    client, host, listing, settings
):
    settings.LISTING_PHOTO_MAX_BYTES = 1000
    # Over the photo limit but within the body's room for fields: the core's photo_too_large.
    payload = upload(client, listing, jpeg_with_exif((300, 300)), user=host).json()["data"]
    assert error_codes(payload["addListingPhoto"]) == ["photo_too_large"]
    # A body beyond any photo: refused from Content-Length, before Django reads it.
    response = upload(client, listing, jpeg_with_exif() + b"\x00" * 70_000, user=host)
    assert response.status_code == 400
    assert "a photo may be at most" in response.json()["errors"][0]["message"]
    settings.LISTING_PHOTO_MAX_BYTES = 10_000_000
    long_caption = upload(client, listing, jpeg_with_exif(), user=host, caption="x" * 201)
    assert error_codes(long_caption.json()["data"]["addListingPhoto"]) == ["too_long"]
    assert not ListingPhoto.objects.exists()


def test_anonymous_and_other_hosts_are_refused(client, host, other_host, listing):
    anonymous = upload(client, listing, jpeg_with_exif()).json()["data"]["addListingPhoto"]
    assert error_codes(anonymous) == ["not_authenticated"]
    other = upload(client, listing, jpeg_with_exif(), user=other_host).json()["data"]
    assert error_codes(other["addListingPhoto"]) == ["not_listing_host"]  # REST's 403
    listing.status = Listing.Status.DRAFT
    listing.save()
    hidden = upload(client, listing, jpeg_with_exif(), user=other_host).json()["data"]
    assert hidden["addListingPhoto"]["errors"] == [
        {"field": None, "code": "not_found", "message": "Not found."}
    ]
    assert not ListingPhoto.objects.exists()


def _spec_violations(listing):
    ops = {"query": ADD, "variables": {"input": {"listingId": str(listing.pk), "image": None}}}
    filled = {"input": {"listingId": str(listing.pk), "image": "not null"}}
    file_map = {"0": ["variables.input.image"]}
    return [
        ({"map": json.dumps(file_map)}, "needs the `operations` field"),
        ({"operations": json.dumps(ops)}, "needs the `map` field"),
        ({"operations": "{not json", "map": json.dumps(file_map)}, "`operations` is not valid"),
        ({"operations": json.dumps([ops]), "map": json.dumps(file_map)}, "Batched operations"),
        ({"operations": json.dumps(ops), "map": "[1]"}, "`map` must be a JSON object"),
        ({"operations": json.dumps(ops), "map": '{"1": ["variables.input.image"]}'},
         "does not have"),
        ({"operations": json.dumps(ops), "map": '{"0": ["query"]}'}, "inside `variables`"),
        ({"operations": json.dumps(ops), "map": '{"0": ["variables.input.nope"]}'},
         "does not name a variable"),
        ({"operations": json.dumps({**ops, "variables": filled}), "map": json.dumps(file_map)},
         "null placeholder"),
        ({"operations": json.dumps({**ops, "variables": [1]}), "map": json.dumps(file_map)},
         "must be a JSON object"),
        ({"operations": json.dumps(ops),
          "map": json.dumps({str(i): ["variables.input.image"] for i in range(11)})},
         "At most 10 files"),
    ]  # fmt: skip


def test_requests_that_break_the_multipart_spec_are_clear_400s(client, host, listing):
    for form, message in _spec_violations(listing):
        image = SimpleUploadedFile("a.jpg", jpeg_with_exif((20, 20)))
        response = client.post(URL, {**form, "0": image}, **bearer(host))
        assert response.status_code == 400, (form, response.content)
        assert response["Content-Type"] == "application/json"
        assert message in response.json()["errors"][0]["message"], (form, response.content)
    broken = client.post(
        URL, b"--x\r\nnot a part", content_type="multipart/form-data; boundary=x", **bearer(host)
    )
    assert broken.status_code == 400
    assert not ListingPhoto.objects.exists()


def test_an_upload_cannot_be_given_as_json_or_inline(gql, host, listing):
    as_json = gql.post(
        ADD, {"input": {"listingId": str(listing.pk), "image": "c2VhLmpwZw=="}}, user=host
    )
    assert as_json.status_code == 400
    assert "multipart" in as_json.json()["errors"][0]["message"]
    inline = gql.post(
        'mutation($l: UUID!) { addListingPhoto(input: {listingId: $l, image: "x"}) {'
        " errors { code } } }",
        {"l": str(listing.pk)},
        user=host,
    )
    assert inline.status_code == 400
    assert "as a variable" in inline.json()["errors"][0]["message"]
    assert not ListingPhoto.objects.exists()


def test_a_photo_url_is_built_once_per_request(gql, host, listing, monkeypatch):
    first, second = add(listing, host), add(listing, host)
    expected = [f"http://testserver{p.image.url}" for p in (first, second)]
    storage = type(first.image.storage._wrapped)  # the default storage, set up by .url
    built = []
    storage_url = storage.url

    def counted_url(self, name, *args, **kwargs):
        built.append(name)
        return storage_url(self, name, *args, **kwargs)

    monkeypatch.setattr(storage, "url", counted_url)
    query = "query($id: UUID!) { listing(id: $id) { photo photos { url } } }"
    shown = gql.data(query, {"id": str(listing.pk)})["listing"]

    urls = [p["url"] for p in shown["photos"]]
    assert shown["photo"] == urls[0]
    assert urls == expected
    assert sorted(built) == sorted([first.image.name, second.image.name])  # once each
