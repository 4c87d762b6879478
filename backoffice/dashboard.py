"""The dashboard (the admin index): KPIs and charts from bookings.kpis, scoped by role.

The marketplace's figures are read as beat last stored them (no aggregate runs for a person's
request); a host's are computed for their few listings and cached briefly."""

import json
from decimal import Decimal
from functools import partial

from django.utils.translation import gettext_lazy as _

from bookings.kpis import DEFAULT_PERIOD, PERIODS, kpi_report

from .roles import Role, request_role

MODERATOR_KPIS = ("rating", "pending")


def _period(request) -> int:
    try:
        days = int(request.GET.get("period", DEFAULT_PERIOD))
    except (TypeError, ValueError):
        return DEFAULT_PERIOD
    return days if days in PERIODS else DEFAULT_PERIOD


def _money(amounts: dict, currencies=()) -> list[str]:
    """One line per currency (money is never added across currencies). With nothing at all in
    the period, 0.00 in each currency of the listings in scope, so even a zero says which
    money it counts; no listing at all: nothing to measure."""
    if not amounts:
        amounts = {currency: Decimal("0") for currency in currencies}
    if not amounts:
        return ["—"]
    return [f"{amount:,.2f} {currency}" for currency, amount in sorted(amounts.items())]


def _percent(value) -> str:
    return "—" if value is None else f"{value}%"


def dashboard_callback(request, context):
    role = request_role(request)
    host = request.user if role == Role.HOST else None
    days = _period(request)
    report = kpi_report(host=host, days=days)
    money = partial(_money, currencies=report.currencies)
    kpis = [
        {"title": _("Bookings"), "value": report.bookings, "id": "bookings"},
        {"title": _("Nights sold"), "value": report.nights_sold, "id": "nights"},
        {
            "title": _("Gross booking value"),
            "value": money(report.gross_booking_value),
            "id": "gbv",
        },
        {
            "title": _("Platform revenue (fees)"),
            "value": money(report.platform_revenue),
            "id": "revenue",
        },
        {"title": _("Occupancy rate"), "value": _percent(report.occupancy_rate), "id": "occupancy"},
        {
            "title": _("ADR"),
            "value": money(report.adr),
            "id": "adr",
            "hint": _("average daily rate"),
        },
        {
            "title": _("RevPAR"),
            "value": money(report.revpar),
            "id": "revpar",
            "hint": _("revenue per available night"),
        },
        {
            "title": _("Cancellation rate"),
            "value": _percent(report.cancellation_rate),
            "id": "cancellation",
        },
        {"title": _("Average rating"), "value": report.average_rating or "—", "id": "rating"},
        {
            "title": _("Reviews awaiting moderation"),
            "value": report.reviews_pending,
            "id": "pending",
        },
        {
            "title": _("Money received"),
            "id": "received",
            "value": money(report.money_received),
            "hint": _("succeeded payments less refunds"),
        },
        {
            "title": _("Payouts due"),
            "value": money(report.payouts_due),
            "id": "payouts",
            "hint": _("scheduled, approved or failed; not paid yet"),
        },
    ]
    for kpi in kpis:
        if isinstance(kpi["value"], list):  # money: one line per currency
            kpi["lines"], kpi["value"] = kpi["value"], " · ".join(kpi["value"])
    if role == Role.MODERATOR:
        # Moderators judge reviews: the review figures, no money, no bookings, no charts.
        kpis = [k for k in kpis if k["id"] in MODERATOR_KPIS]
        scope = _("the whole marketplace")
        context.update(
            {
                "kpis": kpis,
                "periods": PERIODS,
                "period": days,
                "show_charts": False,
                "window": report.window,
                "scope_label": scope,
                "computed_at": report.computed_at,
            }
        )
        return context
    context.update(
        {
            "kpis": kpis,
            "periods": PERIODS,
            "period": days,
            "scope_label": _("your listings") if host else _("the whole marketplace"),
            "window": report.window,
            "computed_at": report.computed_at,
            "show_charts": True,
            "charts": _charts(report),
        }
    )
    return context


def _options(x_title: str, y_title: str, *, y_max=None, legend=True) -> str:
    """Chart.js options for unfold's chart components (they replace unfold's defaults, which
    hide the legend and the y axis): a legend, both axes titled with their units, y from 0."""
    y = {
        "beginAtZero": True,
        "title": {"display": True, "text": y_title},
        "ticks": {"precision": 0},
        "grid": {"color": "rgba(127,127,127,0.15)"},
    }
    if y_max is not None:
        y.update({"min": 0, "max": y_max})
    return json.dumps(
        {
            "animation": False,
            "responsive": True,
            "maintainAspectRatio": False,
            "plugins": {
                "legend": {"display": legend, "position": "top", "align": "end"},
                "tooltip": {"enabled": True},
            },
            "scales": {
                "x": {"title": {"display": True, "text": x_title}, "grid": {"display": False}},
                "y": y,
            },
            "datasets": {"bar": {"maxBarThickness": 28, "borderRadius": 4}},
        }
    )


COLOURS = ["#e11d48", "#2563eb", "#16a34a", "#d97706", "#7c3aed", "#0891b2"]


def _charts(report) -> list[dict]:
    """Each chart with its data, options and, when it has nothing to draw, why."""
    days = report.window.days
    bookings = {
        "id": "chart-bookings",
        "type": "bar",
        "title": _("Bookings per day"),
        "data": json.dumps(
            {
                "labels": [day.strftime("%d %b") for day, _n in report.bookings_per_day],
                "datasets": [
                    {
                        "label": str(_("Bookings made")),
                        "backgroundColor": COLOURS[0],
                        "data": [n for _day, n in report.bookings_per_day],
                    }
                ],
            }
        ),
        "options": _options(str(_("Day the booking was made")), str(_("Bookings"))),
        "empty": None
        if any(n for _d, n in report.bookings_per_day)
        else _("No booking was made in these %(days)s days.") % {"days": days},
    }
    weeks = next(iter(report.revenue_per_week.values()), [])
    revenue = {
        "id": "chart-revenue",
        "type": "line",
        "title": _("Paid booking value per week"),
        "data": json.dumps(
            {
                "labels": [week.strftime("%d %b") for week, _v in weeks],
                "datasets": [
                    {
                        "label": currency,
                        "data": [float(v) for _w, v in values],
                        "borderColor": COLOURS[i % len(COLOURS)],
                        "backgroundColor": COLOURS[i % len(COLOURS)],
                    }
                    for i, (currency, values) in enumerate(sorted(report.revenue_per_week.items()))
                ],
            }
        ),
        "options": _options(
            str(_("Week starting")), str(_("Paid booking value (one line per currency)"))
        ),
        "empty": None
        if any(v for values in report.revenue_per_week.values() for _w, v in values)
        else _("No paid booking (confirmed or completed) was made in these %(days)s days.")
        % {"days": days},
    }
    occupancy = {
        "id": "chart-occupancy",
        "type": "bar",
        "title": _("Occupancy by city"),
        "data": json.dumps(
            {
                "labels": [city for city, _rate in report.occupancy_by_city],
                "datasets": [
                    {
                        "label": str(_("Occupancy (% of available nights)")),
                        "backgroundColor": COLOURS[1],
                        "data": [float(rate) for _city, rate in report.occupancy_by_city],
                    }
                ],
            }
        ),
        "options": _options(str(_("City")), str(_("Occupancy (%)")), y_max=100),
        "empty": None
        if report.occupancy_by_city
        else _("No published listing had a night to sell in these %(days)s days.") % {"days": days},
    }
    return [bookings, revenue, occupancy]
