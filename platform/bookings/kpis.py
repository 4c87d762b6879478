"""Business KPIs for the back-office dashboard: a handful of aggregate queries, cached briefly.

The definitions (what counts as a booking, an available night, how blocks count) are written
down in backoffice/KPIS.md; keep the two in step. Scope: the whole marketplace, or one host's
listings. Money is reported per currency (amounts in different currencies are never added).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Avg,
    Count,
    DateField,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Greatest, Least, TruncDate
from django.utils import timezone

from calendars.models import CalendarDay, Occupancy
from common.cache import cache_store, cached_read
from common.money import money
from listings.models import Listing
from reviews.models import Review

from .models import Booking, BookingStatus

PERIODS = (7, 30, 90)
DEFAULT_PERIOD = 30

# A booking "counts" once the guest asked for it, whatever happened next, except requests the
# host declined or that expired unanswered (they never became a stay).
COUNTED_STATUSES = (
    BookingStatus.REQUESTED,
    BookingStatus.PENDING_PAYMENT,
    BookingStatus.CONFIRMED,
    BookingStatus.COMPLETED,
    BookingStatus.CANCELLED,
)
# Money and nights are only realised by paid stays.
SOLD_STATUSES = (BookingStatus.CONFIRMED, BookingStatus.COMPLETED)


@dataclass(frozen=True)
class Window:
    """The last `days` days, today included: dates in [start, end)."""

    days: int
    start: date
    end: date

    @classmethod
    def last(cls, days: int, today: date | None = None) -> Window:
        today = today or timezone.localdate()
        end = today + timedelta(days=1)
        return cls(days, end - timedelta(days=days), end)


@dataclass
class KpiReport:
    window: Window
    bookings: int = 0
    cancelled: int = 0
    nights_sold: int = 0
    available_nights: int = 0
    gross_booking_value: dict[str, Decimal] = field(default_factory=dict)
    platform_revenue: dict[str, Decimal] = field(default_factory=dict)
    adr: dict[str, Decimal] = field(default_factory=dict)
    revpar: dict[str, Decimal] = field(default_factory=dict)
    average_rating: Decimal | None = None
    reviews_pending: int = 0
    bookings_per_day: list[tuple[date, int]] = field(default_factory=list)
    revenue_per_week: dict[str, list[tuple[date, Decimal]]] = field(default_factory=dict)
    occupancy_by_city: list[tuple[str, Decimal]] = field(default_factory=list)
    # The currencies of the listings in scope: a money figure with nothing in it still reads
    # "0.00 EUR", not a bare "0.00".
    currencies: list[str] = field(default_factory=list)

    @property
    def occupancy_rate(self) -> Decimal | None:
        return _ratio(self.nights_sold, self.available_nights)

    @property
    def cancellation_rate(self) -> Decimal | None:
        return _ratio(self.cancelled, self.bookings)


def _ratio(part, whole) -> Decimal | None:
    """part / whole as a percentage with one decimal, None when there is nothing to divide."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def _overlap_nights(window: Window, start="check_in", end="check_out") -> ExpressionWrapper:
    """Nights of [start, end) that fall inside the window, as a duration (portable SQL)."""
    first = Greatest(F(start), Value(window.start), output_field=DateField())
    last = Least(F(end), Value(window.end), output_field=DateField())
    return ExpressionWrapper(last - first, output_field=DurationField())


def _days(duration) -> int:
    return duration.days if duration else 0


def kpi_report(*, host=None, days: int = DEFAULT_PERIOD, today: date | None = None) -> KpiReport:
    """The dashboard figures for the last `days` days, for everyone or for one host."""
    days = days if days in PERIODS else DEFAULT_PERIOD
    window = Window.last(days, today)
    # Stampede-protected: one request recomputes an expired report while the others get the
    # previous one. The site-wide reports are recomputed by beat (kpi_reports_refresh), so
    # staff never wait for them.
    return cached_read(_key(host, days, window), lambda: _compute(window, host), _seconds())


def _key(host, days: int, window: Window) -> str:
    return f"kpis:v3:{getattr(host, 'pk', 'all')}:{days}:{window.end.isoformat()}"


def _seconds() -> int:
    return settings.READ_CACHE_SECONDS["dashboard"]


def kpi_reports_refresh(*, today: date | None = None) -> int:
    """Recompute the site-wide dashboard figures for every period (beat, every few minutes).
    Returns how many reports were stored."""
    for days in PERIODS:
        window = Window.last(days, today)
        cache_store(_key(None, days, window), _compute(window, None), _seconds())
    return len(PERIODS)


def _scoped(queryset: QuerySet, host, lookup: str) -> QuerySet:
    return queryset.filter(**{lookup: host}) if host is not None else queryset


def _compute(window: Window, host) -> KpiReport:
    report = KpiReport(window=window)
    created_in_window = Q(created_at__date__gte=window.start, created_at__date__lt=window.end)
    bookings = _scoped(Booking.objects.all(), host, "listing__host")
    made = bookings.filter(created_in_window, status__in=COUNTED_STATUSES)

    # 1. Counts of bookings made in the period, and how many of them were cancelled.
    counts = made.aggregate(
        total=Count("id"), cancelled=Count("id", filter=Q(status=BookingStatus.CANCELLED))
    )
    report.bookings, report.cancelled = counts["total"], counts["cancelled"]

    # 2. Money of paid bookings made in the period, per currency.
    for row in (
        made.filter(status__in=SOLD_STATUSES)
        .values("currency")
        .annotate(gbv=Sum("total"), fees=Sum(F("service_fee") + F("host_fee")))
        .order_by("currency")
    ):
        report.gross_booking_value[row["currency"]] = money(row["gbv"])
        report.platform_revenue[row["currency"]] = money(row["fees"])

    # 3. Nights sold inside the window (stay dates, not booking dates), per currency and city.
    stays = bookings.filter(
        status__in=SOLD_STATUSES, check_in__lt=window.end, check_out__gt=window.start
    )
    sold_by_city: dict[str, int] = defaultdict(int)
    nights_by_currency: dict[str, int] = defaultdict(int)
    rate_revenue: dict[str, Decimal] = defaultdict(Decimal)
    stay_nights: dict[str, int] = defaultdict(int)
    for row in stays.values("currency", "listing__city").annotate(
        in_window=Sum(_overlap_nights(window)),
        revenue=Sum(F("nightly_subtotal") - F("discount")),
        whole=Sum(ExpressionWrapper(F("check_out") - F("check_in"), DurationField())),
    ):
        nights = _days(row["in_window"])
        sold_by_city[row["listing__city"]] += nights
        nights_by_currency[row["currency"]] += nights
        rate_revenue[row["currency"]] += row["revenue"] or Decimal(0)
        stay_nights[row["currency"]] += _days(row["whole"])
    report.nights_sold = sum(sold_by_city.values())

    # 4. Supply: published listings' nights in the window, less the nights hosts closed.
    listings = _scoped(Listing.objects.all(), host, "host").filter(
        Q(status=Listing.Status.PUBLISHED) | Q(bookings__in=stays)
    )
    supply_by_city: dict[str, int] = defaultdict(int)
    listings_by_currency: dict[str, int] = defaultdict(int)
    for row in (
        listings.values("city", "currency").annotate(n=Count("id", distinct=True)).order_by()
    ):
        supply_by_city[row["city"]] += row["n"] * window.days
        listings_by_currency[row["currency"]] += row["n"]
    blocks = _scoped(Occupancy.objects.all(), host, "listing__host").filter(
        kind=Occupancy.Kind.BLOCK, is_active=True, start__lt=window.end, end__gt=window.start
    )
    for row in blocks.values("listing__city").annotate(
        n=Sum(_overlap_nights(window, "start", "end"))
    ):
        supply_by_city[row["listing__city"]] -= _days(row["n"])
    closed = _scoped(CalendarDay.objects.all(), host, "listing__host").filter(
        is_blocked=True, date__gte=window.start, date__lt=window.end
    )
    for row in closed.values("listing__city").annotate(n=Count("id")).order_by():
        supply_by_city[row["listing__city"]] -= row["n"]
    for city, supply in supply_by_city.items():
        # A night sold can never be "unavailable": blocks never overlap stays.
        supply_by_city[city] = max(supply, sold_by_city.get(city, 0))
    report.available_nights = sum(supply_by_city.values())
    report.currencies = sorted(listings_by_currency)
    report.occupancy_by_city = sorted(
        ((city, _ratio(sold_by_city.get(city, 0), supply) or Decimal("0.0")))
        for city, supply in supply_by_city.items()
        if supply
    )

    # ADR: average accommodation price per night sold; RevPAR = ADR x occupancy.
    occupancy = report.occupancy_rate or Decimal(0)
    for currency, nights in stay_nights.items():
        if nights:
            report.adr[currency] = money(rate_revenue[currency] / nights)
            report.revpar[currency] = money(report.adr[currency] * occupancy / 100)

    # 5. Reviews: the average of those published in the period; the waiting queue (all time).
    reviews = _scoped(Review.objects.all(), host, "listing__host")
    review_stats = reviews.aggregate(
        average=Avg("rating", filter=Q(created_in_window, status=Review.Status.PUBLISHED)),
        pending=Count("id", filter=Q(status=Review.Status.PENDING)),
    )
    if review_stats["average"] is not None:
        report.average_rating = Decimal(str(review_stats["average"])).quantize(Decimal("0.01"))
    report.reviews_pending = review_stats["pending"]

    # 6. Charts: bookings made per day, paid booking value per week (per currency).
    per_day = dict(
        made.annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
        .order_by()
    )
    report.bookings_per_day = [
        (day, per_day.get(day, 0))
        for day in (window.start + timedelta(days=i) for i in range(window.days))
    ]
    weekly: dict[str, dict[date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for day, currency, total in (
        made.filter(status__in=SOLD_STATUSES)
        .annotate(day=TruncDate("created_at"))
        .values("day", "currency")
        .annotate(total=Sum("total"))
        .values_list("day", "currency", "total")
        .order_by()
    ):
        week = day - timedelta(days=day.weekday())
        weekly[currency][week] += total
    first_week = window.start - timedelta(days=window.start.weekday())
    weeks = [
        first_week + timedelta(weeks=i) for i in range((window.end - first_week).days // 7 + 1)
    ]
    weeks = [w for w in weeks if w < window.end]
    report.revenue_per_week = {
        currency: [(week, money(amounts.get(week, 0))) for week in weeks]
        for currency, amounts in sorted(weekly.items())
    }
    return report
