"""Object-level authorization, operation by operation: a second guest and a second host get
`null` plus a not_found error for every query and mutation on someone else's draft listing,
booking, review or calendar block; the response says nothing about the object, and nothing
changes."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from bookings.models import Booking
from calendars.models import CalendarDay, ChannelFeed, HostBlock
from calendars.services import host_block_create
from listings.models import Listing, ListingPhoto
from listings.photos import listing_photo_add
from messaging.models import Message
from messaging.services import conversation_start
from reviews.models import Review
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

from .conftest import bearer

pytestmark = pytest.mark.django_db


def tiny_jpeg():
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "JPEG")
    return SimpleUploadedFile("a.jpg", out.getvalue())


BOOKING_FIELDS = "booking { id listingTitle total } errors { field code message }"

# (operation, root field, the payload's object field for mutations / None for queries)
OPERATIONS = [
    ("query($draft: UUID!) { listing(id: $draft) { id title description } }", "listing", None),
    (
        "query($draft: UUID!, $start: Date!, $end: Date!) {"
        " quote(listingId: $draft, checkIn: $start, checkOut: $end, guests: 1) { total } }",
        "quote",
        None,
    ),
    (
        'mutation($draft: UUID!) { updateListing(input: {id: $draft, title: "Taken over"}) {'
        " listing { id title } errors { field code message } } }",
        "updateListing",
        "listing",
    ),
    ("query($booking: UUID!) { booking(id: $booking) { id listingTitle } }", "booking", None),
    (
        "mutation($booking: UUID!) { acceptBooking(input: {bookingId: $booking}) {"
        f" {BOOKING_FIELDS} }} }}",
        "acceptBooking",
        "booking",
    ),
    (
        "mutation($booking: UUID!) { declineBooking(input: {bookingId: $booking}) {"
        f" {BOOKING_FIELDS} }} }}",
        "declineBooking",
        "booking",
    ),
    (
        "mutation($booking: UUID!) { cancelBooking(input: {bookingId: $booking}) {"
        f" {BOOKING_FIELDS} refundAmount }} }}",
        "cancelBooking",
        "booking",
    ),
    (
        "query($draft: UUID!, $start: Date!, $end: Date!) {"
        " availability(listingId: $draft, start: $start, end: $end) { date available price } }",
        "availability",
        None,
    ),
    (
        "mutation($draft: UUID!) { deleteListing(input: {listingId: $draft}) {"
        " deleted listing { id title } errors { field code message } } }",
        "deleteListing",
        "listing",
    ),
    (
        "mutation($draft: UUID!, $start: Date!, $end: Date!) { createBlock(input:"
        ' {listingId: $draft, start: $start, end: $end, note: "Mine now"}) {'
        " block { id note } errors { field code message } } }",
        "createBlock",
        "block",
    ),
    (
        # The listing is published (public); its block is the host's business only.
        "mutation($listing: UUID!, $block: UUID!) {"
        " deleteBlock(input: {listingId: $listing, blockId: $block}) {"
        " deleted errors { field code message } } }",
        "deleteBlock",
        "deleted",
    ),
    (
        "mutation($draft: UUID!, $block: UUID!) {"
        " deleteBlock(input: {listingId: $draft, blockId: $block}) {"
        " deleted errors { field code message } } }",
        "deleteBlock",
        "deleted",
    ),
    (
        "query($booking: UUID!) { refundPreview(bookingId: $booking) {"
        " refundAmount currency policy } }",
        "refundPreview",
        None,
    ),
    (
        'mutation($review: UUID!) { respondToReview(input: {reviewId: $review, text: "Hi"}) {'
        " review { id comment } errors { field code message } } }",
        "respondToReview",
        "review",
    ),
    (
        "query($conversation: UUID!) { conversation(id: $conversation) {"
        " id lastMessage messages { edges { node { body } } } } }",
        "conversation",
        None,
    ),
    (
        "mutation($conversation: UUID!) { sendMessage(input:"
        ' {conversationId: $conversation, body: "Let me in"}) {'
        " message { id body } errors { field code message } } }",
        "sendMessage",
        "message",
    ),
    (
        "mutation($conversation: UUID!) {"
        " markConversationRead(input: {conversationId: $conversation}) {"
        " marked errors { field code message } } }",
        "markConversationRead",
        "marked",
    ),
    (
        "query($wishlist: UUID!) { wishlist(id: $wishlist) {"
        " name listings { edges { node { title } } } } }",
        "wishlist",
        None,
    ),
    (
        'mutation($wishlist: UUID!) { renameWishlist(input: {wishlistId: $wishlist, name: "X"})'
        " { wishlist { name } errors { field code message } } }",
        "renameWishlist",
        "wishlist",
    ),
    (
        "mutation($wishlist: UUID!) { deleteWishlist(input: {wishlistId: $wishlist})"
        " { deleted errors { field code message } } }",
        "deleteWishlist",
        "deleted",
    ),
    (
        "mutation($wishlist: UUID!, $public: UUID!) { addToWishlist(input:"
        " {wishlistId: $wishlist, listingId: $public})"
        " { added wishlist { name } errors { field code message } } }",
        "addToWishlist",
        "wishlist",
    ),
    (
        "mutation($wishlist: UUID!, $public: UUID!) { removeFromWishlist(input:"
        " {wishlistId: $wishlist, listingId: $public})"
        " { removed wishlist { name } errors { field code message } } }",
        "removeFromWishlist",
        "wishlist",
    ),
    (
        "mutation($draft: UUID!, $photo: UUID!) { updateListingPhoto(input:"
        ' {listingId: $draft, photoId: $photo, caption: "Mine now"})'
        " { photo { caption } errors { field code message } } }",
        "updateListingPhoto",
        "photo",
    ),
    (
        "mutation($draft: UUID!, $photo: UUID!) { deleteListingPhoto(input:"
        " {listingId: $draft, photoId: $photo}) { deleted errors { field code message } } }",
        "deleteListingPhoto",
        "deleted",
    ),
    (
        "mutation($draft: UUID!, $start: Date!, $end: Date!) { setCalendar(input:"
        " {listingId: $draft, start: $start, end: $end, closed: true})"
        " { changed days { date } errors { field code message } } }",
        "setCalendar",
        "days",
    ),
    (
        "mutation($draft: UUID!, $start: Date!, $end: Date!) { clearCalendar(input:"
        " {listingId: $draft, start: $start, end: $end})"
        " { changed days { date } errors { field code message } } }",
        "clearCalendar",
        "days",
    ),
    (
        "query($draft: UUID!) { channelFeeds(listingId: $draft) { id url } }",
        "channelFeeds",
        None,
    ),
    (
        'mutation($draft: UUID!) { addChannelFeed(input: {listingId: $draft, url: "https://x.example/a.ics"})'
        " { channelFeed { id url } errors { field code message } } }",
        "addChannelFeed",
        "channelFeed",
    ),
    (
        "mutation($draft: UUID!, $channel: UUID!) { syncChannelFeed(input:"
        " {listingId: $draft, channelId: $channel}) { channelFeed { url }"
        " errors { field code message } } }",
        "syncChannelFeed",
        "channelFeed",
    ),
    (
        "mutation($draft: UUID!, $channel: UUID!) { deleteChannelFeed(input:"
        " {listingId: $draft, channelId: $channel}) { deleted errors { field code message } } }",
        "deleteChannelFeed",
        "deleted",
    ),
]


@pytest.fixture
def world():
    """A host with a draft, a guest's booking and a pending review of the host's listing."""
    host = HostFactory(email="hidden-host@example.test", phone="+351 911 111 111")
    guest = UserFactory(email="hidden-guest@example.test", phone="+351 922 222 222")
    draft = ListingFactory(host=host, status=Listing.Status.DRAFT, title="Hidden draft cabin")
    listing = ListingFactory(host=host, title="Secret loft of the booking", instant_book=False)
    booking = make_booking(listing=listing, guest=guest, check_in=future(20))
    block = host_block_create(
        listing=listing, start=future(40), end=future(42), note="Secret block note", actor=host
    )
    stay = make_completed_stay(listing=listing, guest=guest)
    review = ReviewFactory(
        booking=stay, status=Review.Status.PENDING, comment="Unpublished review words"
    )
    conversation = conversation_start(actor=guest, booking=booking, body="Private message words")
    wishlist = wishlist_create(actor=guest, name="Secret wishlist name")
    photo = listing_photo_add(
        listing=draft, actor=host, image=tiny_jpeg(), caption="Private photo caption"
    )
    channel = ChannelFeed.objects.create(listing=draft, url="https://secret-channel.example/a.ics")
    public = ListingFactory(title="Public but saved")
    wishlist_add(wishlist=wishlist, listing=public, actor=guest)
    secrets = [draft.title, listing.title, host.email, guest.email, host.phone, guest.phone,
               review.comment, block.note, "Private message words", wishlist.name,
               photo.caption, channel.url]  # fmt: skip
    variables = {"draft": str(draft.pk), "booking": str(booking.pk), "review": str(review.pk),
                 "conversation": str(conversation.pk), "wishlist": str(wishlist.pk),
                 "public": str(public.pk), "photo": str(photo.pk),
                 "channel": str(channel.pk),
                 "listing": str(listing.pk), "block": str(block.pk),
                 "start": str(future(10)), "end": str(future(12))}  # fmt: skip
    return {"variables": variables, "secrets": secrets, "booking": booking, "block": block}


def used_variables(document: str, variables: dict) -> dict:
    return {name: value for name, value in variables.items() if f"${name}:" in document}


@pytest.mark.parametrize("caller", ["second_guest", "second_host"])
@pytest.mark.parametrize(("document", "root", "payload_field"), OPERATIONS)
def test_others_get_null_and_not_found_and_learn_nothing(
    gql, world, caller, document, root, payload_field
):
    stranger = HostFactory() if caller == "second_host" else UserFactory()
    if caller == "second_host":
        ListingFactory(host=stranger)  # a host with listings of their own
    response = gql.post(document, used_variables(document, world["variables"]), user=stranger)

    assert response.status_code == 200, response.content
    body = response.json()
    if payload_field is None:  # a query: null plus a GraphQL error
        assert body["data"][root] is None
        assert [e["extensions"]["code"] for e in body["errors"]] == ["not_found"]
    else:  # a mutation: a payload whose object is null and whose errors say not_found
        assert "errors" not in body, body["errors"]
        payload = body["data"][root]
        assert payload[payload_field] is None
        assert payload["errors"] == [{"field": None, "code": "not_found", "message": "Not found."}]
    text = response.content.decode()
    assert [secret for secret in world["secrets"] if secret in text] == []
    # ...and nothing happened to any of the objects.
    draft = Listing.objects.get(pk=world["variables"]["draft"])
    assert (draft.title, draft.status) == ("Hidden draft cabin", Listing.Status.DRAFT)
    assert Booking.objects.get(pk=world["booking"].pk).status == world["booking"].status
    assert Review.objects.get(pk=world["variables"]["review"]).response == ""
    assert list(HostBlock.objects.values_list("pk", flat=True)) == [world["block"].pk]
    assert list(Message.objects.values_list("body", "read_at")) == [("Private message words", None)]
    assert list(ListingPhoto.objects.values_list("caption", flat=True)) == ["Private photo caption"]
    assert not CalendarDay.objects.exists()
    assert list(ChannelFeed.objects.values_list("url", "last_attempt_at")) == [
        ("https://secret-channel.example/a.ics", None)
    ]
    wishlist = Wishlist.objects.get(pk=world["variables"]["wishlist"])
    assert wishlist.name == "Secret wishlist name"
    assert [str(pk) for pk in wishlist.listings.values_list("pk", flat=True)] == [
        world["variables"]["public"]
    ]


@pytest.mark.parametrize("caller", ["second_guest", "second_host"])
def test_update_me_changes_only_the_callers_own_profile(gql, world, caller):
    stranger = HostFactory() if caller == "second_host" else UserFactory()
    payload = gql.data(
        'mutation { updateMe(input: {phone: "+1 555 0100"}) {'
        " user { id email phone } errors { code } } }",
        user=stranger,
    )["updateMe"]

    assert payload["user"] == {"id": str(stranger.pk), "email": stranger.email,
                               "phone": "+1 555 0100"}  # fmt: skip
    host = world["booking"].listing.host
    guest = world["booking"].guest
    host.refresh_from_db()
    guest.refresh_from_db()
    assert (host.phone, guest.phone) == ("+351 911 111 111", "+351 922 222 222")


@pytest.mark.parametrize("caller", ["second_guest", "second_host"])
def test_uploading_a_photo_to_others_draft_is_not_found(client, world, caller):
    """addListingPhoto is multipart (GraphQL multipart request spec), so it is sent as a
    spec client sends it rather than through the JSON matrix above."""
    stranger = HostFactory() if caller == "second_host" else UserFactory()
    document = (
        "mutation($l: UUID!, $image: Upload!) { addListingPhoto(input: {listingId: $l,"
        " image: $image}) { photo { id caption } errors { field code message } } }"
    )
    variables = {"l": world["variables"]["draft"], "image": None}
    response = client.post(
        "/graphql/",
        {
            "operations": json.dumps({"query": document, "variables": variables}),
            "map": json.dumps({"0": ["variables.image"]}),
            "0": tiny_jpeg(),
        },
        **bearer(stranger),
    )
    assert response.status_code == 200, response.content
    payload = response.json()["data"]["addListingPhoto"]
    assert payload == {
        "photo": None,
        "errors": [{"field": None, "code": "not_found", "message": "Not found."}],
    }
    assert [s for s in world["secrets"] if s in response.content.decode()] == []
    assert list(ListingPhoto.objects.values_list("caption", flat=True)) == ["Private photo caption"]
