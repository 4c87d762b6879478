"""The dashboard (the admin index): KPIs and charts from bookings.kpis, scoped by role."""

import json

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


def _money(amounts: dict) -> str:
    if not amounts:
        return "0.00"
    return " · ".join(f"{amount:,.2f} {currency}" for currency, amount in amounts.items())


def _percent(value) -> str:
    return "—" if value is None else f"{value}%"


def dashboard_callback(request, context):
    role = request_role(request)
    host = request.user if role == Role.HOST else None
    days = _period(request)
    report = kpi_report(host=host, days=days)
    kpis = [
        {"title": _("Bookings"), "value": report.bookings, "id": "bookings"},
        {"title": _("Nights sold"), "value": report.nights_sold, "id": "nights"},
        {"title": _("Gross booking value"), "value": _money(report.gross_booking_value),
         "id": "gbv"},
        {"title": _("Platform revenue (fees)"), "value": _money(report.platform_revenue),
         "id": "revenue"},
        {"title": _("Occupancy rate"), "value": _percent(report.occupancy_rate),
         "id": "occupancy"},
        {"title": _("ADR"), "value": _money(report.adr), "id": "adr",
         "hint": _("average daily rate")},
        {"title": _("RevPAR"), "value": _money(report.revpar), "id": "revpar",
         "hint": _("revenue per available night")},
        {"title": _("Cancellation rate"), "value": _percent(report.cancellation_rate),
         "id": "cancellation"},
        {"title": _("Average rating"), "value": report.average_rating or "—", "id": "rating"},
        {"title": _("Reviews awaiting moderation"), "value": report.reviews_pending,
         "id": "pending"},
        {"title": _("Payouts due"), "value": "0.00", "id": "payouts",
         "hint": _("arrives with payments")},
    ]  # fmt: skip
    if role == Role.MODERATOR:
        # Moderators judge reviews: the review figures, no money, no bookings, no charts.
        kpis = [k for k in kpis if k["id"] in MODERATOR_KPIS]
        scope = _("the whole marketplace")
        context.update({"kpis": kpis, "periods": PERIODS, "period": days, "show_charts": False,
                        "window": report.window, "scope_label": scope})  # fmt: skip
        return context
    context.update(
        {
            "kpis": kpis,
            "periods": PERIODS,
            "period": days,
            "scope_label": _("your listings") if host else _("the whole marketplace"),
            "window": report.window,
            "show_charts": True,
            "chart_bookings": json.dumps(_bookings_chart(report)),
            "chart_revenue": json.dumps(_revenue_chart(report)),
            "chart_occupancy": json.dumps(_occupancy_chart(report)),
        }
    )
    return context


def _bookings_chart(report) -> dict:
    return {
        "labels": [day.strftime("%d %b") for day, _n in report.bookings_per_day],
        "datasets": [
            {
                "label": str(_("Bookings")),
                "data": [n for _day, n in report.bookings_per_day],
                "backgroundColor": "var(--color-primary-600)",
            }
        ],
    }


def _revenue_chart(report) -> dict:
    weeks = next(iter(report.revenue_per_week.values()), [])
    return {
        "labels": [week.strftime("%d %b") for week, _v in weeks],
        "datasets": [
            {"label": currency, "data": [float(v) for _w, v in values]}
            for currency, values in report.revenue_per_week.items()
        ],
    }


def _occupancy_chart(report) -> dict:
    return {
        "labels": [city for city, _rate in report.occupancy_by_city],
        "datasets": [
            {
                "label": str(_("Occupancy %")),
                "data": [float(rate) for _city, rate in report.occupancy_by_city],
                "backgroundColor": "var(--color-primary-400)",
            }
        ],
    }
