"""The booking engine: quote, book, accept/decline, pay, cancel with the policy's refund, and the
housekeeping that expires stale holds and completes finished stays.

Every interface (REST, GraphQL, back-office, tasks, commands) calls these functions; none of them
re-implements a rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from calendars.models import Occupancy
from calendars.selectors import (
    StayCalendar,
    calendar_overrides,
    listing_locked_with_overrides,
    stay_calendar,
)
from calendars.services import dates_unavailable, occupancy_release, occupancy_reserve
from common.actor import attributed_to
from common.dates import both_dates_check, today_in
from common.errors import DomainError, NotFound, NotPermitted, ValidationFailed
from common.money import money
from common.text import max_length, text_within
from listings.models import Listing
from listings.permissions import can_manage_listing

from . import pricing
from .models import CANCELLABLE_STATUSES, Booking, BookingStatus
from .notifications import booking_notify
from .policies import POLICIES, POLICY_DESCRIPTIONS, refund_amount

MAX_GUESTS_ANYWHERE = 50
REASON_MAX_LENGTH = max_length(Booking, "cancellation_reason")


# --- validation -----------------------------------------------------------------------------


def validate_stay(
    *, listing: Listing, check_in: date, check_out: date, guests: int, guest: User | None = None
) -> None:
    """Every rule a stay must satisfy, except availability. Raises the first that fails."""
    both_dates_check(check_in, check_out, start_field="check_in", end_field="check_out")
    if check_out <= check_in:
        raise ValidationFailed(
            "dates_invalid", "Check-out must be after check-in.", field="check_out"
        )
    today = today_in(listing.time_zone)
    if check_in < today:
        raise ValidationFailed("past_dates", "Check-in cannot be in the past.", field="check_in")
    if check_in > today + timedelta(days=settings.BOOKING_HORIZON_DAYS):
        raise ValidationFailed(
            "too_far_ahead",
            f"Stays can be booked at most {settings.BOOKING_HORIZON_DAYS} days ahead.",
            field="check_in",
        )
    nights = (check_out - check_in).days
    if nights < listing.min_nights:
        raise ValidationFailed(
            "min_nights", f"This listing needs at least {listing.min_nights} nights.", "check_out"
        )
    if nights > listing.max_nights:
        raise ValidationFailed(
            "max_nights", f"This listing allows at most {listing.max_nights} nights.", "check_out"
        )
    if guests is None or guests < 1:
        raise ValidationFailed("guests_invalid", "At least one guest is required.", "guests")
    if guests > listing.max_guests:
        raise ValidationFailed(
            "guests_exceed_capacity",
            f"This listing hosts at most {listing.max_guests} guests.",
            field="guests",
        )
    if listing.status != Listing.Status.PUBLISHED:
        raise DomainError("listing_not_bookable", "This listing is not open for booking.")
    if guest is not None and listing.host_id == guest.pk:
        raise ValidationFailed("own_listing", "Hosts cannot book their own listing.", "listing")


def stay_quote(
    listing: Listing, check_in: date, check_out: date, *, overrides: dict | None = None
) -> pricing.Quote:
    if overrides is None:
        overrides, _closed = calendar_overrides(listing, check_in, check_out)
    return pricing.quote(
        pricing.PriceRules.of(listing),
        check_in,
        check_out,
        overrides=overrides,
        guest_fee_rate=settings.GUEST_SERVICE_FEE_RATE,
        host_fee_rate=settings.HOST_SERVICE_FEE_RATE,
    )


def booking_quote(
    *,
    listing: Listing,
    check_in: date,
    check_out: date,
    guests: int,
    guest: User | None = None,
    calendar: StayCalendar | None = None,
) -> pricing.Quote:
    """The price of a stay that could be booked now; raises the reason it can't otherwise.
    `calendar`: the stay's calendar if the caller read it with the listing
    (`listing_with_stay_calendar`); else it is read here."""
    validate_stay(
        listing=listing, check_in=check_in, check_out=check_out, guests=guests, guest=guest
    )
    # A read (booking_create re-reads the calendar under a lock).
    if calendar is None:
        calendar = stay_calendar(listing, check_in, check_out)
    if not calendar.free:
        raise dates_unavailable()
    return pricing.quote(
        pricing.PriceRules.of(listing),
        check_in,
        check_out,
        overrides=calendar.prices,
        guest_fee_rate=settings.GUEST_SERVICE_FEE_RATE,
        host_fee_rate=settings.HOST_SERVICE_FEE_RATE,
    )


# --- creating and answering -----------------------------------------------------------------


@attributed_to("guest")
@transaction.atomic
def booking_create(
    *, guest: User, listing: Listing, check_in: date, check_out: date, guests: int
) -> Booking:
    """Book a stay. Instant-book listings wait for payment; others wait for the host."""
    # Lock the listing row: its terms cannot change between the quote and the insert. The
    # same statement reads the stay's calendar: its prices, and its closed nights (refused
    # here, so occupancy_reserve need not read them again).
    listing, overrides, closed = listing_locked_with_overrides(listing.pk, check_in, check_out)
    validate_stay(
        listing=listing, check_in=check_in, check_out=check_out, guests=guests, guest=guest
    )
    if closed:
        raise dates_unavailable()
    quote = stay_quote(listing, check_in, check_out, overrides=overrides)
    occupancy = occupancy_reserve(
        listing=listing,
        start=check_in,
        end=check_out,
        kind=Occupancy.Kind.BOOKING,
        created_by=guest,
        closed_checked=True,
        savepoint=False,  # a refusal ends this transaction
    )
    now = timezone.now()
    if listing.instant_book:
        status, expires_at = BookingStatus.PENDING_PAYMENT, now + settings.BOOKING_PAYMENT_HOLD
    else:
        status, expires_at = BookingStatus.REQUESTED, now + settings.BOOKING_REQUEST_TTL
    booking = Booking.objects.create(
        guest=guest,
        listing=listing,
        occupancy=occupancy,
        check_in=check_in,
        check_out=check_out,
        guests=guests,
        status=status,
        expires_at=expires_at,
        **quote.booking_amounts(),
        price_snapshot=quote.as_snapshot(),
        cancellation_policy=listing.cancellation_policy,
        policy_snapshot=policy_snapshot(listing.cancellation_policy),
    )
    if status == BookingStatus.REQUESTED:
        booking_notify(booking, "booking_requested", host=True)
    return booking


def policy_snapshot(policy: str) -> dict:
    return {
        "policy": policy,
        "description": POLICY_DESCRIPTIONS[policy],
        "tiers": [
            {"min_days": t.min_days, "share": str(t.share), "of_total": t.of_total}
            for t in POLICIES[policy]
        ],
    }


def _locked(booking: Booking) -> Booking:
    return (
        Booking.objects.select_for_update(of=("self",))
        .select_related("listing", "occupancy")
        .get(pk=booking.pk)
    )


def _require_status(booking: Booking, *allowed: str, action: str) -> None:
    if booking.status not in allowed:
        raise DomainError(
            "invalid_status",
            f"A {booking.get_status_display().lower()} booking cannot be {action}.",
        )


def _require_host(booking: Booking, actor: User) -> None:
    if not can_manage_listing(booking.listing, actor):
        if booking.guest_id == getattr(actor, "pk", None):
            raise NotPermitted("Only the listing's host can answer a request.", "not_listing_host")
        raise NotFound()


@attributed_to("actor")
def booking_accept(*, booking: Booking, actor: User) -> Booking:
    """The host accepts a request: the guest now has the payment hold to pay."""
    with transaction.atomic():
        booking = _locked(booking)
        _require_host(booking, actor)
        _require_status(booking, BookingStatus.REQUESTED, action="accepted")
        if not _expire_if_lapsed(booking):
            now = timezone.now()
            booking.status = BookingStatus.PENDING_PAYMENT
            booking.accepted_at = now
            booking.expires_at = now + settings.BOOKING_PAYMENT_HOLD
            booking.save()
            booking_notify(booking, "booking_accepted", guest=True)
            return booking
    # Raised after the transaction on purpose: _expire_if_lapsed has just marked the lapsed
    # request expired and freed its nights, and raising inside the block would roll that back
    # (the request would stay "requested" with its nights held until the next sweep).
    raise _lapsed_error()


@attributed_to("actor")
@transaction.atomic
def booking_decline(*, booking: Booking, actor: User, reason: str = "") -> Booking:
    reason = text_within(reason, limit=REASON_MAX_LENGTH, field="reason")
    booking = _locked(booking)
    _require_host(booking, actor)
    _require_status(booking, BookingStatus.REQUESTED, action="declined")
    booking.status = BookingStatus.DECLINED
    booking.cancellation_reason = reason
    booking.expires_at = None
    occupancy_release(booking.occupancy)
    booking.save()
    booking_notify(booking, "booking_declined", guest=True)
    return booking


def booking_mark_paid(*, booking: Booking, amount: Decimal) -> Booking:
    """Record a successful payment of the full total: the stay is confirmed."""
    with transaction.atomic():
        booking = _locked(booking)
        _require_status(booking, BookingStatus.PENDING_PAYMENT, action="paid")
        if money(amount) != booking.total:
            raise ValidationFailed(
                "amount_mismatch",
                f"The payment must be {booking.total} {booking.currency}.",
                "amount",
            )
        if not _expire_if_lapsed(booking):
            booking.amount_paid = money(amount)
            booking.status = BookingStatus.CONFIRMED
            booking.confirmed_at = timezone.now()
            booking.expires_at = None
            booking.save()
            booking_notify(booking, "booking_confirmed", guest=True, host=True)
            return booking
    raise _lapsed_error()


def _expire_if_lapsed(booking: Booking, now: datetime | None = None) -> bool:
    """Expire a request or hold whose time ran out (whether or not the scheduled sweep has
    reached it yet), releasing its nights. Call with the booking row locked."""
    lapsed = (
        booking.status in (BookingStatus.REQUESTED, BookingStatus.PENDING_PAYMENT)
        and booking.expires_at is not None
        and booking.expires_at <= (now or timezone.now())
        and not _payment_in_flight(booking)
    )
    if lapsed:
        booking.status = BookingStatus.EXPIRED
        occupancy_release(booking.occupancy)
        booking.save()
        booking_notify(booking, "booking_expired", guest=True)
    return lapsed


def _payment_in_flight(booking: Booking) -> bool:
    """A charge the provider may still accept: the hold waits for its outcome (the payments
    app records it, then confirms the booking or lets it lapse). Read through the reverse
    relation so this app does not import the payments app, which builds on it."""
    return booking.payments.filter(status="processing").exists()


def _lapsed_error() -> DomainError:
    return DomainError(
        "booking_expired", "This booking's time to answer or pay ran out; it has expired."
    )


# --- cancelling -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RefundPreview:
    refund_amount: Decimal
    currency: str
    policy: str
    days_before: int
    by_host_or_staff: bool


def _is_host_or_staff(booking: Booking, actor: User) -> bool:
    return can_manage_listing(booking.listing, actor) or bool(
        actor and actor.is_staff and actor.has_perm("bookings.change_booking")
    )


def _ensure_party(booking: Booking, actor: User) -> None:
    if booking.guest_id == getattr(actor, "pk", None) or _is_host_or_staff(booking, actor):
        return
    raise NotFound()


def booking_refund_preview(
    *, booking: Booking, actor: User, now: datetime | None = None
) -> RefundPreview:
    """What cancelling now would refund, by whom it is cancelled."""
    _ensure_party(booking, actor)
    by_host = booking.guest_id != actor.pk and _is_host_or_staff(booking, actor)
    days_before = (booking.check_in - today_in(booking.listing.time_zone, now)).days
    amount = refund_amount(
        policy=booking.cancellation_policy,
        days_before=days_before,
        total=booking.total,
        service_fee=booking.service_fee,
        amount_paid=booking.amount_paid,
        by_host_or_staff=by_host,
    )
    return RefundPreview(
        amount, booking.currency, booking.cancellation_policy, days_before, by_host
    )


@attributed_to("actor")
@transaction.atomic
def booking_cancel(
    *, booking: Booking, actor: User, reason: str = "", now: datetime | None = None
) -> Booking:
    reason = text_within(reason, limit=REASON_MAX_LENGTH, field="reason")
    booking = _locked(booking)
    _ensure_party(booking, actor)
    _require_status(booking, *CANCELLABLE_STATUSES, action="cancelled")
    preview = booking_refund_preview(booking=booking, actor=actor, now=now)
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = now or timezone.now()
    booking.cancelled_by = actor
    booking.cancellation_reason = reason
    booking.refund_amount = preview.refund_amount
    booking.expires_at = None
    occupancy_release(booking.occupancy)
    booking.save()
    booking_notify(booking, "booking_cancelled", guest=True, host=True)
    return booking


# --- housekeeping (scheduled by Celery beat) ------------------------------------------------


def booking_expire_stale(*, now: datetime | None = None) -> int:
    """Expire unanswered requests and unpaid holds whose time ran out. Returns how many."""
    now = now or timezone.now()
    stale = (
        Booking.objects.filter(
            status__in=(BookingStatus.REQUESTED, BookingStatus.PENDING_PAYMENT),
            expires_at__lte=now,
        )
        .exclude(payments__status="processing")
        .values_list("pk", flat=True)
    )
    expired = 0
    for pk in list(stale):
        with transaction.atomic():
            # answered or paid meanwhile: _expire_if_lapsed re-checks under the lock
            expired += _expire_if_lapsed(_locked(Booking(pk=pk)), now)
    return expired


def booking_complete_finished(*, now: datetime | None = None) -> int:
    """Confirmed stays whose check-out date has come, in the listing's time zone, become
    completed. Returns how many."""
    now = now or timezone.now()
    # No place on Earth is more than a day ahead of UTC: a cheap, index-friendly first cut.
    latest_local_today = now.date() + timedelta(days=1)
    candidates = Booking.objects.filter(
        status=BookingStatus.CONFIRMED, check_out__lte=latest_local_today
    ).values_list("pk", flat=True)
    completed = 0
    for pk in list(candidates):
        with transaction.atomic():
            booking = _locked(Booking(pk=pk))  # a concurrent cancel wins or waits
            if booking.status != BookingStatus.CONFIRMED:
                continue
            if booking.check_out > today_in(booking.listing.time_zone, now):
                continue
            booking.status = BookingStatus.COMPLETED
            booking.save(update_fields=["status", "updated_at"])
            completed += 1
    return completed
