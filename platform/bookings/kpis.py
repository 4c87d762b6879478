"""Business KPIs for the back-office dashboard: a handful of aggregate queries.

The marketplace-wide figures are computed by beat (`kpi_reports_refresh`, every few minutes)
and stored (KpiSnapshot); the dashboard reads the stored row and never recomputes them on a
person's request. A host's figures cover a few listings (tens of milliseconds): computed on
demand and cached briefly.

The definitions (what counts as a booking, an available night, how blocks count) are written
down in backoffice/KPIS.md; keep the two in step. Scope: the whole marketplace, or one host's
listings. Money is reported per currency (amounts in different currencies are never added).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
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
from common.cache import cached_read
from common.money import money
from listings.models import Listing
from reviews.models import Review

from .models import Booking, BookingStatus, KpiSnapshot

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
    # From the payment and payout records (payouts.selectors).
    money_received: dict[str, Decimal] = field(default_factory=dict)
    payouts_due: dict[str, Decimal] = field(default_factory=dict)
    computed_at: datetime | None = None

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


# Money figures computed from the payment and payout records. Those domains sit above bookings
# (they import it), so they register their selectors here when their app is ready.
MoneyFigure = Callable[..., dict[str, Decimal]]  # (*, window: Window, host) -> per currency
MONEY_FIGURES: dict[str, MoneyFigure] = {}


def register_money_figure(name: str, figure: MoneyFigure) -> None:
    """`name` is a KpiReport field (money_received, payouts_due)."""
    if name not in KpiReport.__dataclass_fields__:
        raise ValueError(f"KpiReport has no figure {name!r}")
    MONEY_FIGURES[name] = figure


def kpi_report(*, host=None, days: int = DEFAULT_PERIOD, today: date | None = None) -> KpiReport:
    """The dashboard figures for the last `days` days, for everyone or for one host."""
    days = days if days in PERIODS else DEFAULT_PERIOD
    window = Window.last(days, today)
    if host is None and today is None:
        return _stored(days)
    # A host's report: stampede-protected, one request recomputes an expired report while the
    # others get the previous one.
    return cached_read(_key(host, days, window), lambda: _compute(window, host), _seconds())


def _stored(days: int) -> KpiReport:
    """The marketplace's figures as beat last stored them, whatever their age (at most one
    refresh interval). Only a database that never had a refresh computes them here, once."""
    snapshot = KpiSnapshot.objects.filter(days=days).first()
    if snapshot is not None:
        return _load(snapshot.figures, snapshot.computed_at)
    return _store(Window.last(days))


def _store(window: Window) -> KpiReport:
    report = _compute(window, None)
    KpiSnapshot.objects.update_or_create(
        days=window.days,
        defaults={"computed_at": report.computed_at, "figures": _dump(report)},
    )
    return report


def _key(host, days: int, window: Window) -> str:
    return f"kpis:v4:{getattr(host, 'pk', 'all')}:{days}:{window.end.isoformat()}"


def _seconds() -> int:
    return settings.READ_CACHE_SECONDS["dashboard"]


def kpi_reports_refresh(*, today: date | None = None) -> int:
    """Recompute and store the marketplace-wide figures for every period (beat, every few
    minutes; also once when beat starts). Returns how many reports were stored."""
    for days in PERIODS:
        _store(Window.last(days, today))
    return len(PERIODS)


# --- stored form (JSON): Decimals as strings, dates as ISO dates --------------------------------

_MONEY_FIELDS = (
    "gross_booking_value",
    "platform_revenue",
    "adr",
    "revpar",
    "money_received",
    "payouts_due",
)
_COUNT_FIELDS = ("bookings", "cancelled", "nights_sold", "available_nights", "reviews_pending")


def _dump(report: KpiReport) -> dict:
    figures = {name: getattr(report, name) for name in _COUNT_FIELDS}
    figures.update(
        {name: {c: str(v) for c, v in getattr(report, name).items()} for name in _MONEY_FIELDS}
    )
    figures.update(
        window=[report.window.days, report.window.start.isoformat(), report.window.end.isoformat()],
        average_rating=None if report.average_rating is None else str(report.average_rating),
        bookings_per_day=[[day.isoformat(), n] for day, n in report.bookings_per_day],
        revenue_per_week={
            currency: [[week.isoformat(), str(v)] for week, v in weeks]
            for currency, weeks in report.revenue_per_week.items()
        },
        occupancy_by_city=[[city, str(rate)] for city, rate in report.occupancy_by_city],
        currencies=list(report.currencies),
    )
    return figures


def _load(figures: dict, computed_at: datetime | None) -> KpiReport:
    days, start, end = figures["window"]
    report = KpiReport(
        window=Window(days, date.fromisoformat(start), date.fromisoformat(end)),
        computed_at=computed_at,
        **{name: figures[name] for name in _COUNT_FIELDS},
        **{name: {c: Decimal(v) for c, v in figures[name].items()} for name in _MONEY_FIELDS},
    )
    rating = figures["average_rating"]
    report.average_rating = None if rating is None else Decimal(rating)
    report.bookings_per_day = [(date.fromisoformat(d), n) for d, n in figures["bookings_per_day"]]
    report.revenue_per_week = {
        currency: [(date.fromisoformat(w), Decimal(v)) for w, v in weeks]
        for currency, weeks in figures["revenue_per_week"].items()
    }
    report.occupancy_by_city = [(city, Decimal(r)) for city, r in figures["occupancy_by_city"]]
    report.currencies = list(figures["currencies"])
    return report


def _scoped(queryset: QuerySet, host, lookup: str) -> QuerySet:
    return queryset.filter(**{lookup: host}) if host is not None else queryset


def _bounds(window: Window) -> tuple[datetime, datetime]:
    """The window as instants (local midnights): `created_at` compared with these uses its
    index, where `created_at__date` (a cast of every row) read the whole bookings table."""
    return tuple(
        timezone.make_aware(datetime.combine(day, time.min)) for day in (window.start, window.end)
    )


def _compute(window: Window, host) -> KpiReport:
    report = KpiReport(window=window, computed_at=timezone.now())
    start_at, end_at = _bounds(window)
    created_in_window = Q(created_at__gte=start_at, created_at__lt=end_at)
    bookings = _scoped(Booking.objects.all(), host, "listing__host")
    made = bookings.filter(created_in_window, status__in=COUNTED_STATUSES)

    # 1-2. Bookings made in the period, in ONE pass per (creation day, currency): how many,
    # how many were cancelled since, and the money of the paid ones. The totals, the money
    # per currency and both charts come from these rows.
    sold = Q(status__in=SOLD_STATUSES)
    per_day: dict[date, int] = defaultdict(int)
    weekly: dict[str, dict[date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    gbv: dict[str, Decimal] = defaultdict(Decimal)
    fees: dict[str, Decimal] = defaultdict(Decimal)
    for row in (
        made.annotate(day=TruncDate("created_at"))
        .values("day", "currency")
        .annotate(
            n=Count("id"),
            cancelled=Count("id", filter=Q(status=BookingStatus.CANCELLED)),
            gbv=Sum("total", filter=sold),
            fees=Sum(F("service_fee") + F("host_fee"), filter=sold),
        )
        .order_by()
    ):
        report.bookings += row["n"]
        report.cancelled += row["cancelled"]
        per_day[row["day"]] += row["n"]
        if row["gbv"] is not None:  # some of them paid
            currency = row["currency"]
            gbv[currency] += row["gbv"]
            fees[currency] += row["fees"]
            weekly[currency][row["day"] - timedelta(days=row["day"].weekday())] += row["gbv"]
    for currency in sorted(gbv):
        report.gross_booking_value[currency] = money(gbv[currency])
        report.platform_revenue[currency] = money(fees[currency])

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
    # (A semi-join on the stays, not a join with COUNT DISTINCT: 313 ms -> a few at scale.)
    listings = _scoped(Listing.objects.all(), host, "host").filter(
        Q(status=Listing.Status.PUBLISHED) | Q(pk__in=stays.values("listing_id"))
    )
    supply_by_city: dict[str, int] = defaultdict(int)
    listings_by_currency: dict[str, int] = defaultdict(int)
    for row in listings.values("city", "currency").annotate(n=Count("id")).order_by():
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

    # 6. Charts (from the rows of step 1): bookings made per day, paid value per week.
    report.bookings_per_day = [
        (day, per_day.get(day, 0))
        for day in (window.start + timedelta(days=i) for i in range(window.days))
    ]
    first_week = window.start - timedelta(days=window.start.weekday())
    weeks = [
        first_week + timedelta(weeks=i) for i in range((window.end - first_week).days // 7 + 1)
    ]
    weeks = [w for w in weeks if w < window.end]
    report.revenue_per_week = {
        currency: [(week, money(amounts.get(week, 0))) for week in weeks]
        for currency, amounts in sorted(weekly.items())
    }

    # 7. Money that moved (payments received, payouts due): figures of the higher layers that
    # registered here (payouts.apps), so they are stored with the rest.
    for name, figure in MONEY_FIGURES.items():
        setattr(report, name, figure(window=window, host=host))
    return report
