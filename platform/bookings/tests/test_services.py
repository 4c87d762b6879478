"""The booking engine against the real database: validations, status machine, refunds."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from bookings import services
from bookings.models import Booking
from calendars.models import CalendarDay, Occupancy
from calendars.services import host_block_create
from common.errors import DomainError, NotFound, NotPermitted, ValidationFailed
from listings.models import Listing
from tests.factories import ListingFactory, UserFactory, future, make_booking

pytestmark = pytest.mark.django_db


def book(listing, guest, start_in_days=30, nights=3, guests=2):
    check_in = future(start_in_days)
    return services.booking_create(
        guest=guest, listing=listing, check_in=check_in,
        check_out=check_in + dt.timedelta(days=nights), guests=guests,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("listing_kwargs", "start", "nights", "guests", "code", "error_type"),
    [
        ({}, 30, 0, 2, "dates_invalid", ValidationFailed),
        ({}, -1, 3, 2, "past_dates", ValidationFailed),
        ({}, 731, 3, 2, "too_far_ahead", ValidationFailed),
        ({"min_nights": 4}, 30, 3, 2, "min_nights", ValidationFailed),
        ({"max_nights": 2}, 30, 3, 2, "max_nights", ValidationFailed),
        ({}, 30, 3, 0, "guests_invalid", ValidationFailed),
        ({"max_guests": 2}, 30, 3, 3, "guests_exceed_capacity", ValidationFailed),
        ({"status": Listing.Status.DRAFT}, 30, 3, 2, "listing_not_bookable", DomainError),
        ({"status": Listing.Status.SUSPENDED}, 30, 3, 2, "listing_not_bookable", DomainError),
    ],
)
def test_booking_validations(listing_kwargs, start, nights, guests, code, error_type):
    listing = ListingFactory(**listing_kwargs)
    with pytest.raises(error_type) as exc:
        book(listing, UserFactory(), start, nights, guests)
    assert exc.value.code == code
    assert not Booking.objects.exists()
    assert not Occupancy.objects.exists()


def test_host_cannot_book_own_listing():
    listing = ListingFactory()
    with pytest.raises(ValidationFailed) as exc:
        book(listing, listing.host)
    assert exc.value.code == "own_listing"


def test_today_is_taken_in_the_listing_time_zone():
    # From late in the UTC day it is already tomorrow in Auckland (UTC+12, +13 in the southern
    # summer: the zone database says which), so a day that is still "today" in UTC is past there.
    listing = ListingFactory(time_zone="Pacific/Auckland")
    now = timezone.now()
    local_today = now.astimezone(ZoneInfo("Pacific/Auckland")).date()
    yesterday_there = local_today - dt.timedelta(days=1)
    with pytest.raises(ValidationFailed) as exc:
        services.booking_create(
            guest=UserFactory(), listing=listing, check_in=yesterday_there,
            check_out=yesterday_there + dt.timedelta(days=2), guests=1,
        )  # fmt: skip
    assert exc.value.code == "past_dates"


def test_instant_book_waits_for_payment_and_snapshots_the_quote():
    listing = ListingFactory(instant_book=True, cleaning_fee=Decimal("40"), tax_rate=Decimal("10"))
    booking = book(listing, UserFactory(), nights=3)
    quote = services.booking_quote(
        listing=listing, check_in=future(60), check_out=future(63), guests=2
    )
    assert booking.status == Booking.Status.PENDING_PAYMENT
    assert booking.expires_at is not None
    assert booking.total == quote.total == Decimal("414.80")  # base 340 + 40.80 fee + 34 tax
    assert booking.price_snapshot["total"] == "414.80"
    assert booking.policy_snapshot["policy"] == "moderate"
    assert booking.occupancy.is_active and booking.occupancy.kind == Occupancy.Kind.BOOKING
    # Changing the listing's price later does not touch the booking.
    Listing.objects.filter(pk=listing.pk).update(nightly_price=Decimal("999"))
    booking.refresh_from_db()
    assert booking.total == Decimal("414.80")


def test_request_to_book_accept_then_pay_confirms():
    listing = ListingFactory(instant_book=False)
    booking = book(listing, UserFactory())
    assert booking.status == Booking.Status.REQUESTED
    booking = services.booking_accept(booking=booking, actor=listing.host)
    assert booking.status == Booking.Status.PENDING_PAYMENT
    booking = services.booking_mark_paid(booking=booking, amount=booking.total)
    assert booking.status == Booking.Status.CONFIRMED
    assert booking.amount_paid == booking.total
    with pytest.raises(DomainError) as exc:
        services.booking_accept(booking=booking, actor=listing.host)
    assert exc.value.code == "invalid_status"


def test_decline_frees_the_dates():
    listing = ListingFactory(instant_book=False)
    booking = book(listing, UserFactory())
    services.booking_decline(booking=booking, actor=listing.host)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.DECLINED
    assert not booking.occupancy.is_active
    assert book(listing, UserFactory()).status == Booking.Status.REQUESTED  # same dates again


def test_only_the_host_answers_requests():
    listing = ListingFactory(instant_book=False)
    guest = UserFactory()
    booking = book(listing, guest)
    with pytest.raises(NotPermitted):
        services.booking_accept(booking=booking, actor=guest)
    with pytest.raises(NotFound):
        services.booking_decline(booking=booking, actor=UserFactory())


def test_payment_must_match_the_total():
    booking = book(ListingFactory(), UserFactory())
    with pytest.raises(ValidationFailed) as exc:
        services.booking_mark_paid(booking=booking, amount=booking.total - 1)
    assert exc.value.code == "amount_mismatch"


def test_overlapping_booking_is_refused_but_back_to_back_is_fine():
    listing = ListingFactory()
    book(listing, UserFactory(), start_in_days=30, nights=3)
    with pytest.raises(DomainError) as exc:
        book(listing, UserFactory(), start_in_days=32, nights=3)
    assert exc.value.code == "dates_unavailable"
    assert book(listing, UserFactory(), start_in_days=33, nights=2)  # check-in on check-out day


def test_host_block_and_closed_days_make_dates_unavailable():
    listing = ListingFactory()
    host_block_create(listing=listing, start=future(40), end=future(45), actor=listing.host)
    CalendarDay.objects.create(listing=listing, date=future(50), is_blocked=True)
    for start in (38, 49):
        with pytest.raises(DomainError) as exc:
            book(listing, UserFactory(), start_in_days=start, nights=3)
        assert exc.value.code == "dates_unavailable"


def test_host_block_cannot_overlap_a_booking():
    listing = ListingFactory()
    book(listing, UserFactory(), start_in_days=30, nights=3)
    with pytest.raises(DomainError) as exc:
        host_block_create(listing=listing, start=future(31), end=future(35), actor=listing.host)
    assert exc.value.code == "dates_unavailable"


def test_overrides_price_the_quote():
    listing = ListingFactory(nightly_price=Decimal("100"))
    CalendarDay.objects.create(listing=listing, date=future(30), price=Decimal("250"))
    quote = services.booking_quote(
        listing=listing, check_in=future(30), check_out=future(32), guests=1
    )
    assert [n.price for n in quote.nightly] == [Decimal("250.00"), Decimal("100.00")]


# --- cancellation -------------------------------------------------------------------------


def paid_booking(policy, start_in_days):
    listing = ListingFactory(cancellation_policy=policy)
    booking = book(listing, UserFactory(), start_in_days=start_in_days)
    return services.booking_mark_paid(booking=booking, amount=booking.total)


@pytest.mark.parametrize(
    ("policy", "days", "expected"),
    [
        ("flexible", 1, "336.00"), ("moderate", 5, "336.00"), ("moderate", 4, "150.00"),
        ("strict", 14, "336.00"), ("strict", 10, "150.00"), ("strict", 6, "0.00"),
    ],
)  # fmt: skip
def test_guest_cancellation_refunds_by_policy(policy, days, expected):
    booking = paid_booking(policy, days)
    preview = services.booking_refund_preview(booking=booking, actor=booking.guest)
    assert preview.refund_amount == Decimal(expected)
    cancelled = services.booking_cancel(booking=booking, actor=booking.guest, reason="plans")
    assert cancelled.status == Booking.Status.CANCELLED
    assert cancelled.refund_amount == Decimal(expected)
    assert cancelled.cancelled_by == booking.guest
    assert not cancelled.occupancy.is_active


def test_host_cancellation_refunds_everything():
    booking = paid_booking("strict", 2)
    cancelled = services.booking_cancel(booking=booking, actor=booking.listing.host)
    assert cancelled.refund_amount == booking.total


def test_unpaid_cancellation_refunds_nothing():
    booking = book(ListingFactory(cancellation_policy="flexible"), UserFactory())
    assert services.booking_cancel(booking=booking, actor=booking.guest).refund_amount == 0


def test_strangers_cannot_cancel_or_preview():
    booking = book(ListingFactory(), UserFactory())
    with pytest.raises(NotFound):
        services.booking_refund_preview(booking=booking, actor=UserFactory())
    with pytest.raises(NotFound):
        services.booking_cancel(booking=booking, actor=UserFactory())


def test_cancelled_booking_cannot_be_cancelled_again():
    booking = book(ListingFactory(), UserFactory())
    services.booking_cancel(booking=booking, actor=booking.guest)
    with pytest.raises(DomainError) as exc:
        services.booking_cancel(booking=booking, actor=booking.guest)
    assert exc.value.code == "invalid_status"


# --- housekeeping -------------------------------------------------------------------------


def test_stale_holds_and_requests_expire_and_free_the_calendar(settings):
    hold = book(ListingFactory(instant_book=True), UserFactory())
    request = book(ListingFactory(instant_book=False), UserFactory())
    fresh = book(ListingFactory(instant_book=True), UserFactory())
    now = timezone.now()
    assert services.booking_expire_stale(now=now) == 0
    later = now + settings.BOOKING_REQUEST_TTL + dt.timedelta(seconds=1)
    Booking.objects.filter(pk=fresh.pk).update(expires_at=later + dt.timedelta(minutes=5))
    assert services.booking_expire_stale(now=later) == 2
    for booking in (hold, request):
        booking.refresh_from_db()
        assert booking.status == Booking.Status.EXPIRED
        assert not booking.occupancy.is_active
    fresh.refresh_from_db()
    assert fresh.status == Booking.Status.PENDING_PAYMENT


def test_hold_expires_after_30_minutes_request_after_24_hours():
    hold = book(ListingFactory(instant_book=True), UserFactory())
    request = book(ListingFactory(instant_book=False), UserFactory())
    assert dt.timedelta(minutes=29) < hold.expires_at - hold.created_at <= dt.timedelta(minutes=31)
    assert (
        dt.timedelta(hours=23) < request.expires_at - request.created_at <= dt.timedelta(hours=25)
    )


def noon_utc(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


def test_finished_stays_complete():
    booking = make_booking()
    booking = services.booking_mark_paid(booking=booking, amount=booking.total)
    day_before = booking.check_out - dt.timedelta(days=1)
    assert services.booking_complete_finished(now=noon_utc(day_before)) == 0
    assert services.booking_complete_finished(now=noon_utc(booking.check_out)) == 1
    booking.refresh_from_db()
    assert booking.status == Booking.Status.COMPLETED


def test_completion_waits_for_check_out_day_in_the_listing_time_zone():
    listing = ListingFactory(time_zone="America/Los_Angeles")
    booking = make_booking(listing=listing)
    services.booking_mark_paid(booking=booking, amount=booking.total)
    # 02:00 UTC on check-out day is still the day before in Los Angeles.
    early = dt.datetime.combine(booking.check_out, dt.time(2), tzinfo=dt.UTC)
    assert services.booking_complete_finished(now=early) == 0
    assert services.booking_complete_finished(now=early + dt.timedelta(hours=10)) == 1


def test_a_lapsed_request_cannot_be_accepted_and_frees_its_dates():
    listing = ListingFactory(instant_book=False)
    booking = book(listing, UserFactory())
    Booking.objects.filter(pk=booking.pk).update(expires_at=timezone.now() - dt.timedelta(hours=1))
    with pytest.raises(DomainError) as exc:
        services.booking_accept(booking=booking, actor=listing.host)
    assert exc.value.code == "booking_expired"
    booking.refresh_from_db()
    assert booking.status == Booking.Status.EXPIRED  # the expiry itself is kept
    assert not booking.occupancy.is_active


def test_a_lapsed_hold_cannot_be_paid():
    booking = book(ListingFactory(instant_book=True), UserFactory())
    Booking.objects.filter(pk=booking.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    with pytest.raises(DomainError) as exc:
        services.booking_mark_paid(booking=booking, amount=booking.total)
    assert exc.value.code == "booking_expired"
    booking.refresh_from_db()
    assert (booking.status, booking.amount_paid) == (Booking.Status.EXPIRED, 0)


@pytest.mark.postgres
def test_booking_create_costs_the_inserts_and_one_read(django_assert_num_queries):
    """The listing locked and the stay's calendar (prices and closed nights) read in one
    statement, the occupancy and the booking inserted with their history rows: the exclusion
    constraint is the availability check. (+2: the savepoint of booking_create inside the
    test's transaction.)"""
    listing = ListingFactory(instant_book=True)
    guest = UserFactory()
    with django_assert_num_queries(5 + 2):
        booking = book(listing, guest, start_in_days=30, nights=3)
    assert booking.status == "pending_payment"
    with pytest.raises(DomainError) as exc:  # refused by the constraint, the same error
        book(listing, UserFactory(), start_in_days=31, nights=3)
    assert exc.value.code == "dates_unavailable"
    assert Occupancy.objects.filter(listing=listing).count() == 1


def test_a_quote_reads_the_calendar_in_one_query(django_assert_num_queries):
    """The stay's calendar days (prices and closed nights) and its occupancies in one query,
    from the database each time (a new override is priced at once); a closed night or an
    active stay makes the dates unavailable, a cancelled one does not."""
    listing = ListingFactory(nightly_price=Decimal("100.00"))
    check_in, check_out = future(30), future(33)
    CalendarDay.objects.create(listing=listing, date=check_in, price=Decimal("150.00"))
    with django_assert_num_queries(1):
        quote = services.booking_quote(
            listing=listing, check_in=check_in, check_out=check_out, guests=2
        )
    assert (quote.nights, quote.nightly_subtotal) == (3, Decimal("350.00"))
    CalendarDay.objects.create(listing=listing, date=future(31), price=Decimal("120.00"))
    with django_assert_num_queries(1):
        again = services.booking_quote(
            listing=listing, check_in=check_in, check_out=check_out, guests=2
        )
    assert again.nightly_subtotal == Decimal("370.00")
    CalendarDay.objects.create(listing=listing, date=future(40), is_blocked=True)
    with django_assert_num_queries(1), pytest.raises(DomainError) as exc:
        services.booking_quote(listing=listing, check_in=future(39), check_out=future(41), guests=2)
    assert exc.value.code == "dates_unavailable"
    booking = make_booking(listing=listing, check_in=future(50), nights=2)
    with django_assert_num_queries(1), pytest.raises(DomainError) as exc:
        services.booking_quote(listing=listing, check_in=future(51), check_out=future(54), guests=2)
    assert exc.value.code == "dates_unavailable"
    Occupancy.objects.filter(pk=booking.occupancy_id).update(is_active=False)
    quote = services.booking_quote(
        listing=listing, check_in=future(51), check_out=future(54), guests=2
    )
    assert quote.nights == 3
