"""The hosts' calendar: a month per listing (select nights, then block, unblock or price them)
and a timeline of many listings (rows) over days (columns). Reads come from
calendars.selectors.calendar_grid, changes go through calendars.services; refusals show on the
page, next to the nights they concern."""

import calendar as pycalendar
from datetime import date, timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from unfold.widgets import (
    UnfoldAdminDecimalFieldWidget,
    UnfoldAdminSelectWidget,
    UnfoldAdminTextInputWidget,
)

from calendars.selectors import calendar_grid
from calendars.services import calendar_nights_open, calendar_price_set, host_block_create
from common.dates import today_in
from common.errors import DomainError
from listings.models import Listing

from .admin.filters import EstimatedCountPaginator, scoped_listing_values
from .errors import domain_error_text
from .roles import Role, request_role

TIMELINE_SPANS = (7, 14, 31)
TIMELINE_PER_PAGE = 30


def _date_input():
    return UnfoldAdminTextInputWidget(attrs={"type": "date"})


class CalendarChangeForm(forms.Form):
    """What a host does to the selected nights [start, end): `end` is the check-out day, the
    first night NOT changed, as everywhere else in StayBook."""

    ACTIONS = (
        ("block", _("Block these nights")),
        ("unblock", _("Unblock these nights")),
        ("price", _("Set the price")),
        ("clear", _("Back to the default price")),
    )
    operation = forms.ChoiceField(
        label=_("Do"), choices=ACTIONS, widget=UnfoldAdminSelectWidget(attrs={"id": "id_op"})
    )
    start = forms.DateField(label=_("First night"), widget=_date_input())
    end = forms.DateField(
        label=_("Until (not included)"),
        widget=_date_input(),
        help_text=_("The day after the last night, like a check-out."),
    )
    price = forms.DecimalField(
        label=_("Price per night"),
        required=False,
        max_digits=10,
        decimal_places=2,
        widget=UnfoldAdminDecimalFieldWidget(attrs={"step": "0.01", "min": "0.01"}),
    )
    note = forms.CharField(
        label=_("Note (blocks)"),
        required=False,
        max_length=200,
        widget=UnfoldAdminTextInputWidget(attrs={"placeholder": _("e.g. owner stay")}),
    )

    def clean(self):
        data = super().clean()
        if data.get("operation") == "price" and data.get("price") is None:
            self.add_error("price", _("Enter the price per night."))
        return data


class TimelineFilterForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=_date_input())
    days = forms.TypedChoiceField(
        label=_("Days"),
        coerce=int,
        required=False,
        choices=[(n, n) for n in TIMELINE_SPANS],
        widget=UnfoldAdminSelectWidget,
    )
    city = forms.ChoiceField(label=_("City"), required=False, widget=UnfoldAdminSelectWidget)
    host = forms.CharField(
        label=_("Host"),
        required=False,
        max_length=100,
        widget=UnfoldAdminTextInputWidget(attrs={"placeholder": _("name or email")}),
    )

    def __init__(self, *args, cities=(), show_host=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["city"].choices = [("", _("All cities")), *((c, c) for c in cities)]
        if not show_host:
            del self.fields["host"]


# --- helpers -------------------------------------------------------------------------------


def _listing_admin(site):
    return site._registry[Listing]


def _check_access(request):
    """Staff, hosts (their own listings) and auditors (read-only) have a calendar."""
    if request_role(request) not in (Role.STAFF, Role.HOST, Role.AUDITOR):
        raise PermissionDenied


def _scoped_listings(request, site):
    return Listing.objects.filter(
        pk__in=_listing_admin(site).get_queryset(request).values("pk")
    ).select_related("host")


def _may_change(request, site, listing) -> bool:
    role = request_role(request)
    return role in (Role.STAFF, Role.HOST) and _listing_admin(site).has_change_permission(
        request, listing
    )


def _month_of(value: str | None, default: date) -> date:
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        return date(year, month, 1)
    except (TypeError, ValueError):
        return default.replace(day=1)


def _shift_month(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _money(amount, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


def _context(request, site, title, **extra):
    return {**site.each_context(request), "title": title, **extra}


# --- one listing, month by month -------------------------------------------------------------


def _month_weeks(cal, first: date, today: date):
    """Weeks (Monday first) of cells for the month of `first`; cells outside are None."""
    nights = {n.date: n for n in cal.nights}
    weeks = []
    for week in pycalendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month):
        cells = []
        for day in week:
            if day.month != first.month:
                cells.append(None)
                continue
            night = nights[day]
            stay = cal.stay_on(day)
            next_day = day + timedelta(days=1)
            # A bar is drawn per week row: rounded (and labelled) where the stay or the row
            # begins, rounded where it ends.
            starts = stay is not None and (stay.start == day or day.weekday() == 0 or day.day == 1)
            ends = stay is not None and (
                stay.end == next_day or day.weekday() == 6 or next_day.month != day.month
            )
            cells.append(
                {
                    "night": night,
                    "stay": stay,
                    "stay_starts": starts,
                    "stay_ends": ends,
                    "today": day == today,
                }
            )
        weeks.append(cells)
    return weeks


def _apply(request, listing, form) -> str:
    """Run the chosen service on the selected nights; returns the success message."""
    data, user = form.cleaned_data, request.user
    start, end = data["start"], data["end"]
    operation = data["operation"]
    if operation == "block":
        block = host_block_create(
            listing=listing, start=start, end=end, note=data.get("note", ""), actor=user
        )
        return ngettext("%(n)d night blocked.", "%(n)d nights blocked.", block.nights) % {
            "n": block.nights
        }
    if operation == "unblock":
        opened = calendar_nights_open(listing=listing, start=start, end=end, actor=user)
        if not opened:
            return str(
                _("Nothing to unblock in these nights (bookings are cancelled, not unblocked).")
            )
        return ngettext("%(n)d night unblocked.", "%(n)d nights unblocked.", opened) % {"n": opened}
    price = data.get("price") if operation == "price" else None
    changed = calendar_price_set(listing=listing, start=start, end=end, price=price, actor=user)
    if price is None:
        return ngettext(
            "%(n)d night back to the default price.",
            "%(n)d nights back to the default price.",
            changed,
        ) % {"n": changed}
    return ngettext(
        "%(n)d night now costs %(price)s.", "%(n)d nights now cost %(price)s.", changed
    ) % {"n": changed, "price": _money(price, listing.currency)}


def listing_calendar_view(request, listing_id, *, site):
    _check_access(request)
    listing = _scoped_listings(request, site).filter(pk=listing_id).first()
    if listing is None:
        raise Http404(_("Not found."))
    today = today_in(listing.time_zone)
    first = _month_of(request.GET.get("month"), today)
    may_change = _may_change(request, site, listing)
    form = CalendarChangeForm(
        request.POST if request.method == "POST" else None,
        initial={
            "operation": "block",
            "start": max(today, first),
            "end": max(today, first) + timedelta(days=1),
        },
    )
    error = None
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied
        if form.is_valid():
            try:
                done = _apply(request, listing, form)
            except DomainError as exc:
                error = domain_error_text(exc)
                if exc.field in form.fields:
                    form.add_error(exc.field, exc.message)
            else:
                messages.success(request, done)
                month = form.cleaned_data["start"].strftime("%Y-%m")
                return HttpResponseRedirect(f"{request.path}?month={month}")
    last = _shift_month(first, 1)
    (cal,) = calendar_grid([listing], first, last)
    weeks = _month_weeks(cal, first, today)
    context = _context(
        request,
        site,
        _("Calendar · %(title)s") % {"title": listing.title},
        listing=listing,
        month=first,
        prev_month=_shift_month(first, -1).strftime("%Y-%m"),
        next_month=last.strftime("%Y-%m"),
        this_month=today.strftime("%Y-%m"),
        weekdays=[pycalendar.day_abbr[i] for i in range(7)],
        weeks=weeks,
        form=form,
        error=error,
        may_change=may_change,
        other_listings=_scoped_listings(request, site)
        .select_related(None)
        .order_by("title")
        .only("pk", "title")[:200],
        change_url=reverse("admin:listings_listing_change", args=[listing.pk]),
        timeline_url=reverse("admin:calendar_timeline"),
        currency=listing.currency,
        booked=sum(1 for w in weeks for c in w if c and c["stay"] and c["stay"].kind == "booking"),
        nights_in_month=sum(1 for w in weeks for c in w if c),
    )
    return TemplateResponse(request, "backoffice/listing_calendar.html", context)


# --- many listings, day by day ---------------------------------------------------------------


def _timeline_rows(cal, start: date, end: date):
    """Cells of one listing's row: a free or closed night is one cell; a stay is one cell
    spanning its nights within the window (colspan), so it reads as a bar."""
    nights = {n.date: n for n in cal.nights}
    cells, day = [], start
    while day < end:
        stay = cal.stay_on(day)
        if stay is not None:
            span = stay.nights_within(day, end)
            cells.append(
                {
                    "stay": stay,
                    "span": span,
                    "cut_left": stay.start < start,
                    "cut_right": stay.end > end,
                    "night": nights[day],
                }
            )
            day += timedelta(days=span)
        else:
            cells.append({"night": nights[day], "span": 1})
            day += timedelta(days=1)
    return cells


def calendar_timeline_view(request, *, site):
    _check_access(request)
    role = request_role(request)
    listings = _scoped_listings(request, site)
    cities = scoped_listing_values(request, _listing_admin(site), "city")  # cached per scope
    today = timezone.localdate()
    start, days = today, 14
    data = {"start": today.isoformat(), "days": str(days), **request.GET.dict()}
    form = TimelineFilterForm(
        data, cities=list(cities), show_host=role in (Role.STAFF, Role.AUDITOR)
    )
    if form.is_valid():
        data = form.cleaned_data
        start = data.get("start") or today
        days = data.get("days") or days
        if data.get("city"):
            listings = listings.filter(city=data["city"])
        if data.get("host"):
            term = data["host"]
            listings = listings.filter(
                Q(host__email__icontains=term)
                | Q(host__first_name__icontains=term)
                | Q(host__last_name__icontains=term)
            )
    end = start + timedelta(days=days)
    page = EstimatedCountPaginator(listings.order_by("title", "pk"), TIMELINE_PER_PAGE).get_page(
        request.GET.get("p")
    )
    grid = calendar_grid(page.object_list, start, end)
    query = request.GET.copy()
    query.pop("p", None)
    shift = {}
    for name, delta in (("prev", -days), ("next", days)):
        moved = query.copy()
        moved["start"] = (start + timedelta(days=delta)).isoformat()
        moved["days"] = str(days)
        shift[name] = moved.urlencode()
    context = _context(
        request,
        site,
        _("Calendar"),
        form=form,
        page=page,
        query=query.urlencode(),
        prev_query=shift["prev"],
        next_query=shift["next"],
        days=[start + timedelta(days=i) for i in range(days)],
        today=today,
        rows=[
            {
                "listing": cal.listing,
                "cells": _timeline_rows(cal, start, end),
                "url": reverse("admin:calendar_listing", args=[cal.listing.pk]),
            }
            for cal in grid
        ],
        start=start,
        end=end - timedelta(days=1),
        show_host=role in (Role.STAFF, Role.AUDITOR),
    )
    return TemplateResponse(request, "backoffice/calendar_timeline.html", context)
