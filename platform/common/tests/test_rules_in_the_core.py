"""Rules the interfaces used to state themselves, now decided once in the core: each test calls
the core directly, so REST and GraphQL cannot disagree on them."""

import pytest

from bookings.services import booking_cancel
from calendars.selectors import host_block_of
from calendars.services import host_block_create
from common.dates import validate_range
from common.errors import NotFound, ValidationFailed
from common.idempotency import idempotency_key_check, run_idempotent
from listings.selectors import ListingSearch, listing_search
from tests.factories import ListingFactory, UserFactory, future, make_booking

pytestmark = pytest.mark.django_db


def test_another_hosts_block_does_not_exist_for_them():
    listing = ListingFactory(status="published")
    block = host_block_create(listing=listing, start=future(5), end=future(7), actor=listing.host)
    assert host_block_of(listing=listing, block_id=block.pk, actor=listing.host) == block
    with pytest.raises(NotFound):  # a published listing is public; its blocks are not
        host_block_of(listing=listing, block_id=block.pk, actor=UserFactory())
    with pytest.raises(NotFound):  # the same answer as an unknown id
        host_block_of(listing=listing, block_id=listing.pk, actor=listing.host)


@pytest.mark.parametrize("key", ["", "   ", "k" * 256])
def test_an_idempotency_key_is_one_to_255_characters_not_blank(key):
    with pytest.raises(ValidationFailed) as refusal:
        idempotency_key_check(key)
    assert (refusal.value.code, refusal.value.field) == (
        "idempotency_key_invalid",
        "idempotency_key",
    )
    with pytest.raises(ValidationFailed):  # run_idempotent applies the same check
        run_idempotent(user=UserFactory(), scope="s", key=key, payload={}, execute=lambda: (1, 2))


def test_a_255_character_key_or_none_is_accepted():
    assert idempotency_key_check("k" * 255) == "k" * 255
    assert idempotency_key_check(None) is None


def test_a_too_long_block_note_is_refused_not_cut():
    listing = ListingFactory()
    with pytest.raises(ValidationFailed) as refusal:
        host_block_create(
            listing=listing, start=future(5), end=future(7), note="n" * 201, actor=listing.host
        )
    assert (refusal.value.code, refusal.value.field) == ("too_long", "note")
    block = host_block_create(
        listing=listing, start=future(5), end=future(7), note="n" * 200, actor=listing.host
    )
    assert block.note == "n" * 200


def test_a_too_long_cancellation_reason_is_refused_not_cut():
    booking = make_booking(listing=ListingFactory(), check_in=future(30))
    with pytest.raises(ValidationFailed) as refusal:
        booking_cancel(booking=booking, actor=booking.guest, reason="r" * 501)
    assert refusal.value.code == "too_long"
    booking.refresh_from_db()
    assert booking.status != "cancelled"


@pytest.mark.parametrize(
    ("start", "end", "field"), [(None, 5, "start"), (5, None, "end"), (None, None, "start")]
)
def test_both_dates_have_one_wording(start, end, field):
    with pytest.raises(ValidationFailed) as refusal:
        validate_range(start and future(start), end and future(end))
    assert (refusal.value.code, refusal.value.message, refusal.value.field) == (
        "dates_required", "Give both dates.", field,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("params", "code", "field"),
    [
        ({"check_in": future(5)}, "dates_required", "check_out"),
        ({"check_out": future(5)}, "dates_required", "check_in"),
        ({"check_in": future(5), "check_out": future(5)}, "dates_invalid", "check_out"),
        ({"guests": 0}, "guests_invalid", "guests"),
        ({"min_price": -1}, "invalid_filter", "min_price"),
    ],
)
def test_the_search_checks_its_stay_filters(params, code, field):
    with pytest.raises(ValidationFailed) as refusal:
        listing_search(ListingSearch(**params))
    assert (refusal.value.code, refusal.value.field) == (code, field)
