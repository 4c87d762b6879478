"""Object-level authorization, endpoint by endpoint: a second guest and a second host get a
404 for every object endpoint of someone else's draft listing, booking or review, the body
says nothing about the object, and nothing changes."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from bookings.models import Booking
from calendars.models import CalendarDay, ChannelFeed, HostBlock
from listings.models import Listing, ListingPhoto
from listings.photos import listing_photo_add
from messaging.models import Message
from messaging.services import conversation_start
from reviews.models import Review
from tests.bodies import without_request_id
from tests.factories import (
    HostFactory,
    ListingFactory,
    ReviewFactory,
    UserFactory,
    future,
    make_booking,
    make_completed_stay,
)
from wishlists.models import Wishlist
from wishlists.services import wishlist_add, wishlist_create

from .conftest import client_for

pytestmark = pytest.mark.django_db


def tiny_jpeg():
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "JPEG")
    return SimpleUploadedFile("a.jpg", out.getvalue())


DRAFT = "/api/v1/listings/{draft}/"
BOOKING = "/api/v1/bookings/{booking}/"
CONVERSATION = "/api/v1/conversations/{conversation}/"
WISHLIST = "/api/v1/wishlists/{wishlist}/"

ENDPOINTS = [
    ("get", DRAFT, None),
    ("patch", DRAFT, {"title": "Taken over"}),
    ("delete", DRAFT, None),
    ("get", DRAFT + "availability/?start={start}&end={end}", None),
    ("get", DRAFT + "quote/?check_in={start}&check_out={end}&guests=1", None),
    ("get", DRAFT + "reviews/", None),
    ("post", DRAFT + "blocks/", {"start": "{start}", "end": "{end}"}),
    ("delete", DRAFT + "blocks/{block}/", None),
    ("get", DRAFT + "calendar.ics", None),
    ("put", DRAFT + "calendar/", {"start": "{start}", "end": "{end}", "closed": True}),
    ("delete", DRAFT + "calendar/?start={start}&end={end}", None),
    ("post", DRAFT + "photos/", {"caption": "Mine now"}),
    ("get", DRAFT + "channels/", None),
    ("post", DRAFT + "channels/", {"url": "https://example.com/mine.ics"}),
    ("delete", DRAFT + "channels/{channel}/", None),
    ("post", DRAFT + "channels/{channel}/sync/", None),
    ("get", DRAFT + "photos/{photo}/", None),
    ("patch", DRAFT + "photos/{photo}/", {"caption": "Mine now"}),
    ("delete", DRAFT + "photos/{photo}/", None),
    ("get", BOOKING, None),
    ("post", BOOKING + "accept/", None),
    ("post", BOOKING + "decline/", {"reason": "no"}),
    ("get", BOOKING + "refund-preview/", None),
    ("post", BOOKING + "cancel/", {"reason": "no"}),
    ("post", "/api/v1/reviews/{review}/response/", {"text": "Thanks!"}),
    ("get", CONVERSATION, None),
    ("get", CONVERSATION + "messages/", None),
    ("post", CONVERSATION + "messages/", {"body": "Let me in"}),
    ("post", CONVERSATION + "read/", None),
    ("get", WISHLIST, None),
    ("patch", WISHLIST, {"name": "Taken over"}),
    ("delete", WISHLIST, None),
    ("get", WISHLIST + "listings/", None),
    ("post", WISHLIST + "listings/", {"listing": "{public}"}),
    ("delete", WISHLIST + "listings/{public}/", None),
]


@pytest.fixture
def world():
    """A host with a draft (and a block on it), a guest's booking and a pending review."""
    host = HostFactory(email="hidden-host@example.test", phone="+351 911 111 111")
    guest = UserFactory(email="hidden-guest@example.test", phone="+351 922 222 222")
    draft = ListingFactory(host=host, status=Listing.Status.DRAFT, title="Hidden draft cabin")
    block = HostBlock.objects.create(
        listing=draft, start=future(40), end=future(42), note="Private block note"
    )
    photo = listing_photo_add(
        listing=draft, actor=host, image=tiny_jpeg(), caption="Private photo caption"
    )
    channel = ChannelFeed.objects.create(listing=draft, url="https://secret-channel.example/a.ics")
    listing = ListingFactory(host=host, title="Secret loft of the booking", instant_book=False)
    booking = make_booking(listing=listing, guest=guest, check_in=future(20))
    stay = make_completed_stay(listing=listing, guest=guest)
    review = ReviewFactory(
        booking=stay, status=Review.Status.PENDING, comment="Unpublished review words"
    )
    conversation = conversation_start(actor=guest, booking=booking, body="Private message words")
    wishlist = wishlist_create(actor=guest, name="Secret wishlist name")
    public = ListingFactory(title="Public but saved")
    wishlist_add(wishlist=wishlist, listing=public, actor=guest)
    secrets = [draft.title, block.note, listing.title, host.email, guest.email, host.phone,
               guest.phone, review.comment, "Private message words", wishlist.name,
               photo.caption, channel.url]  # fmt: skip
    ids = {"draft": draft.pk, "block": block.pk, "booking": booking.pk, "review": review.pk,
           "conversation": conversation.pk, "photo": photo.pk, "channel": channel.pk,
           "wishlist": wishlist.pk, "public": public.pk,
           "start": future(10), "end": future(12)}  # fmt: skip
    return {"ids": ids, "secrets": secrets, "draft": draft, "booking": booking, "review": review}


def fill(template, ids):
    if isinstance(template, dict):
        return {name: fill(value, ids) for name, value in template.items()}
    return template.format(**ids) if isinstance(template, str) else template


@pytest.mark.parametrize("caller", ["second_guest", "second_host"])
@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_others_get_a_404_and_learn_nothing(world, caller, method, path, body):
    stranger = HostFactory() if caller == "second_host" else UserFactory()
    if caller == "second_host":
        ListingFactory(host=stranger)  # a host with listings of their own
    ids = world["ids"]
    send = getattr(client_for(stranger), method)
    response = send(fill(path, ids), fill(body, ids) if body else None, format="json")

    assert response.status_code == 404, (method, path, response.content)
    assert without_request_id(response) == {"detail": "Not found.", "code": "not_found"}
    text = response.content.decode()
    assert [secret for secret in world["secrets"] if secret in text] == []
    # ...and nothing happened to any of the objects.
    draft = Listing.objects.get(pk=world["draft"].pk)
    assert (draft.title, draft.status) == ("Hidden draft cabin", Listing.Status.DRAFT)
    assert HostBlock.objects.filter(pk=ids["block"]).exists()
    assert Booking.objects.get(pk=ids["booking"]).status == world["booking"].status
    assert Review.objects.get(pk=ids["review"]).response == ""
    assert list(Message.objects.values_list("body", "read_at")) == [("Private message words", None)]
    assert list(ListingPhoto.objects.values_list("caption", flat=True)) == ["Private photo caption"]
    assert not CalendarDay.objects.exists()
    assert list(ChannelFeed.objects.values_list("pk", "last_attempt_at")) == [
        (ids["channel"], None)
    ]
    wishlist = Wishlist.objects.get(pk=ids["wishlist"])
    assert (wishlist.name, list(wishlist.listings.values_list("pk", flat=True))) == (
        "Secret wishlist name",
        [ids["public"]],
    )
