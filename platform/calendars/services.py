"""Calendar writes: reserving nights (for stays and blocks), host blocks, per-date overrides."""

from datetime import date, timedelta
from decimal import Decimal

from django.db import IntegrityError, connection, transaction

from accounts.models import User
from bookings.pricing import stay_nights
from common.actor import attributed_to
from common.dates import today_in, validate_range
from common.errors import DomainError, NotPermitted, ValidationFailed
from common.money import money
from common.text import max_length, text_within
from listings.models import Listing
from listings.permissions import ensure_can_manage_listing

from .models import CalendarDay, HostBlock, Occupancy
from .selectors import active_occupancies

MAX_PRICE = Decimal("100000000")  # what a price column (10 digits, 2 decimals) holds


def dates_unavailable() -> DomainError:
    return DomainError("dates_unavailable", "These dates are not available.", field="check_in")


def occupancy_reserve(
    *,
    listing: Listing,
    start: date,
    end: date,
    kind: str,
    note: str = "",
    created_by: User | None = None,
    closed_checked: bool = False,
    savepoint: bool = True,
) -> Occupancy:
    """Take the nights [start, end) or raise `dates_unavailable`.

    On PostgreSQL the exclusion constraint is the check: the insert is refused when an active
    occupancy overlaps, and the refusal is the same domain error (no query beforehand, which
    could only agree or lose a race). On SQLite a query checks first and the IMMEDIATE
    transaction settles races. Closed nights are checked here unless the caller already read
    them (`closed_checked`: booking_create reads them with the stay's prices). `savepoint`
    False is for a caller whose own transaction ends with the refusal (booking_create): a
    savepoint only lets the surrounding transaction go on after it.
    """
    if connection.vendor != "postgresql" and active_occupancies(listing, start, end).exists():
        raise dates_unavailable()
    if (
        not closed_checked
        and CalendarDay.objects.filter(
            listing=listing, date__gte=start, date__lt=end, is_blocked=True
        ).exists()
    ):
        raise dates_unavailable()
    try:
        with transaction.atomic(savepoint=savepoint):
            return Occupancy.objects.create(
                listing=listing, start=start, end=end, kind=kind, note=note, created_by=created_by
            )
    except IntegrityError as exc:
        if "occupancy_no_overlap" in str(exc):
            raise dates_unavailable() from exc
        raise


def occupancy_release(occupancy: Occupancy | None) -> None:
    if occupancy is not None and occupancy.is_active:
        occupancy.is_active = False
        occupancy.save(update_fields=["is_active", "updated_at"])


@attributed_to("actor")
@transaction.atomic
def host_block_create(
    *, listing: Listing, start: date, end: date, note: str = "", actor: User
) -> HostBlock:
    ensure_can_manage_listing(listing, actor)
    note = text_within(note, limit=max_length(Occupancy, "note"), field="note")
    validate_range(start, end)
    if start < today_in(listing.time_zone):
        raise ValidationFailed("past_dates", "A block cannot start in the past.", field="start")
    occupancy = occupancy_reserve(
        listing=listing,
        start=start,
        end=end,
        kind=Occupancy.Kind.BLOCK,
        note=note,
        created_by=actor,
    )
    return HostBlock.objects.get(pk=occupancy.pk)


@attributed_to("actor")
@transaction.atomic
def host_block_delete(*, block: Occupancy, actor: User) -> None:
    ensure_can_manage_listing(block.listing, actor)
    if block.kind != Occupancy.Kind.BLOCK:
        raise NotPermitted("Only host blocks can be removed here; cancel the booking instead.")
    block.delete()


@attributed_to("actor")
@transaction.atomic
def calendar_day_set(
    *,
    listing: Listing,
    day: date,
    actor: User,
    price: Decimal | None = None,
    is_blocked: bool = False,
) -> CalendarDay | None:
    """Override one night's price or close it. Both empty removes the override."""
    ensure_can_manage_listing(listing, actor)
    if day < today_in(listing.time_zone):
        raise ValidationFailed("past_dates", "Past nights cannot be changed.", field="date")
    if price is not None and Decimal(price) <= 0:
        raise ValidationFailed("invalid_price", "A price must be positive.", field="price")
    if (
        is_blocked
        and active_occupancies(listing, day, day + timedelta(days=1))
        .filter(kind=Occupancy.Kind.BOOKING)
        .exists()
    ):
        raise dates_unavailable()
    if price is None and not is_blocked:
        CalendarDay.objects.filter(listing=listing, date=day).delete()
        return None
    entry, _ = CalendarDay.objects.update_or_create(
        listing=listing,
        date=day,
        defaults={"price": money(price) if price is not None else None, "is_blocked": is_blocked},
    )
    return entry


def _range_for_changes(listing: Listing, start: date, end: date) -> None:
    validate_range(start, end)
    if start < today_in(listing.time_zone):
        raise ValidationFailed("past_dates", "Past nights cannot be changed.", field="start")


@attributed_to("actor")
@transaction.atomic
def calendar_price_set(
    *, listing: Listing, start: date, end: date, price: Decimal | None, actor: User
) -> int:
    """Set the price of the nights [start, end), or with `price` None clear their overrides
    (back to the listing's weekday/weekend price). Closed nights stay closed. Returns the
    number of nights changed."""
    ensure_can_manage_listing(listing, actor)
    _range_for_changes(listing, start, end)
    if price is not None and Decimal(price) <= 0:
        raise ValidationFailed("invalid_price", "A price must be more than zero.", field="price")
    closed = set(
        CalendarDay.objects.filter(
            listing=listing, date__gte=start, date__lt=end, is_blocked=True
        ).values_list("date", flat=True)
    )
    nights = stay_nights(start, end)
    for day in nights:
        calendar_day_set(
            listing=listing, day=day, actor=actor, price=price, is_blocked=day in closed
        )
    return len(nights)


@attributed_to("actor")
@transaction.atomic
def calendar_nights_open(*, listing: Listing, start: date, end: date, actor: User) -> int:
    """Unblock the nights [start, end): host blocks are removed from them (a block reaching
    outside the range is trimmed, or split in two, so the nights outside stay blocked) and
    closed nights reopen with their price override kept. Bookings are never touched. Returns
    the number of nights that were blocked or closed."""
    ensure_can_manage_listing(listing, actor)
    _range_for_changes(listing, start, end)
    opened: set[date] = set()
    blocks = HostBlock.objects.select_for_update().filter(
        listing=listing, is_active=True, start__lt=end, end__gt=start
    )
    for block in list(blocks):
        overlap_start, overlap_end = max(block.start, start), min(block.end, end)
        opened.update(stay_nights(overlap_start, overlap_end))
        keep = [(a, b) for a, b in ((block.start, start), (end, block.end)) if a < b]
        note, created_by = block.note, block.created_by
        block.delete()
        for keep_start, keep_end in keep:
            # These nights were blocked a moment ago: nothing else can hold them.
            Occupancy.objects.create(
                listing=listing,
                start=keep_start,
                end=keep_end,
                kind=Occupancy.Kind.BLOCK,
                note=note,
                created_by=created_by,
            )
    closed = CalendarDay.objects.filter(
        listing=listing, date__gte=start, date__lt=end, is_blocked=True
    )
    for entry in list(closed):
        opened.add(entry.date)
        calendar_day_set(listing=listing, day=entry.date, actor=actor, price=entry.price)
    return len(opened)


@attributed_to("actor")
@transaction.atomic
def calendar_nights_close(*, listing: Listing, start: date, end: date, actor: User) -> int:
    """Close the nights [start, end) (their price overrides kept). All or nothing: a night
    taken by a booking refuses the whole range with dates_unavailable. Returns the number of
    nights that were open."""
    ensure_can_manage_listing(listing, actor)
    _range_for_changes(listing, start, end)
    if active_occupancies(listing, start, end).filter(kind=Occupancy.Kind.BOOKING).exists():
        raise dates_unavailable()
    existing = {
        entry.date: entry
        for entry in CalendarDay.objects.filter(listing=listing, date__gte=start, date__lt=end)
    }
    changed = 0
    for day in stay_nights(start, end):
        entry = existing.get(day)
        if entry is not None and entry.is_blocked:
            continue
        calendar_day_set(
            listing=listing,
            day=day,
            actor=actor,
            price=entry.price if entry is not None else None,
            is_blocked=True,
        )
        changed += 1
    return changed


@attributed_to("actor")
@transaction.atomic
def calendar_overrides_clear(*, listing: Listing, start: date, end: date, actor: User) -> int:
    """Back to the listing's defaults over [start, end): price overrides removed and closed
    nights reopened (host blocks and bookings are not overrides: untouched). Returns the number
    of nights that had an override."""
    ensure_can_manage_listing(listing, actor)
    _range_for_changes(listing, start, end)
    entries = CalendarDay.objects.filter(listing=listing, date__gte=start, date__lt=end)
    count = 0
    for entry in list(entries):  # one by one: each deletion leaves its history row
        entry.delete()
        count += 1
    return count


@attributed_to("actor")
@transaction.atomic
def calendar_range_set(
    *,
    listing: Listing,
    start: date,
    end: date,
    actor: User,
    price: Decimal | None = None,
    closed: bool | None = None,
) -> int:
    """What the API's calendar edit does, in one transaction: set a price on the nights
    [start, end) and/or close (`closed=True`) or reopen (`closed=False`) them. Returns the
    number of nights changed (a night both priced and closed counts once)."""
    ensure_can_manage_listing(listing, actor)
    _range_for_changes(listing, start, end)
    if price is None and closed is None:
        raise ValidationFailed("nothing_to_set", "Give a price, closed, or both.", field="price")
    if price is not None and not (Decimal("0") < Decimal(price) < MAX_PRICE):
        raise ValidationFailed(
            "invalid_price", f"A price must be more than zero and below {MAX_PRICE}.", "price"
        )
    changed = 0
    if price is not None:
        changed = calendar_price_set(
            listing=listing, start=start, end=end, price=price, actor=actor
        )
    if closed is True:
        changed = max(
            changed, calendar_nights_close(listing=listing, start=start, end=end, actor=actor)
        )
    elif closed is False:
        changed = max(
            changed, calendar_nights_open(listing=listing, start=start, end=end, actor=actor)
        )
    return changed
