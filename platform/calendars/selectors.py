"""Reads of a listing's calendar."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from bookings.pricing import PriceRules, night_price, stay_nights
from common.dates import today_in

from .models import CalendarDay, Occupancy


def calendar_overrides(listing, start: date, end: date) -> tuple[dict[date, Decimal], set[date]]:
    """Custom prices and closed nights of [start, end)."""
    prices, closed = {}, set()
    rows = CalendarDay.objects.filter(listing=listing, date__gte=start, date__lt=end).values_list(
        "date", "price", "is_blocked"
    )
    for day, price, is_blocked in rows:
        if price is not None:
            prices[day] = price
        if is_blocked:
            closed.add(day)
    return prices, closed


def active_occupancies(listing, start: date, end: date, exclude_id=None):
    """Active occupancies (stays and blocks) overlapping the nights [start, end)."""
    qs = Occupancy.objects.filter(listing=listing, is_active=True, start__lt=end, end__gt=start)
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    return qs


def nights_are_free(listing, start: date, end: date) -> bool:
    if active_occupancies(listing, start, end).exists():
        return False
    return not CalendarDay.objects.filter(
        listing=listing, date__gte=start, date__lt=end, is_blocked=True
    ).exists()


@dataclass(frozen=True)
class DayAvailability:
    date: date
    available: bool
    price: Decimal


def listing_availability(listing, start: date, end: date) -> list[DayAvailability]:
    """Night by night for [start, end): free or not, and its price. Three queries in all."""
    prices, closed = calendar_overrides(listing, start, end)
    taken: set[date] = set()
    for occ_start, occ_end in active_occupancies(listing, start, end).values_list("start", "end"):
        taken.update(stay_nights(max(occ_start, start), min(occ_end, end)))
    rules = PriceRules.of(listing)
    today = today_in(listing.time_zone)  # past nights can no longer be booked
    return [
        DayAvailability(
            day,
            day >= today and day not in taken and day not in closed,
            night_price(rules, day, prices),
        )
        for day in stay_nights(start, end)
    ]


def occupied_ranges(listing, start: date | None = None):
    """Active occupied ranges, merged where they touch (for the iCalendar feed)."""
    qs = Occupancy.objects.filter(listing=listing, is_active=True).order_by("start")
    if start is not None:
        qs = qs.filter(end__gt=start)
    merged: list[list[date]] = []
    for occ_start, occ_end in qs.values_list("start", "end"):
        if merged and occ_start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], occ_end)
        else:
            merged.append([occ_start, occ_end])
    return [(a, b) for a, b in merged]
