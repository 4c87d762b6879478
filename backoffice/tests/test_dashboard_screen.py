"""The dashboard as people read it: money with its currency (zeros too), charts with legends,
titled axes and occupancy against 0-100 %, a reason instead of an empty chart, and the figures'
definitions inside the back-office."""

import json

import pytest
from django.core.cache import cache
from django.urls import reverse

from bookings.services import booking_mark_paid
from tests.factories import ListingFactory, future, make_booking

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_figures():
    cache.clear()  # figures are cached for a minute per scope and period
    yield
    cache.clear()


def charts_of(response) -> dict:
    return {chart["id"]: chart for chart in response.context["charts"]}


def kpi(response, kpi_id):
    return next(k for k in response.context["kpis"] if k["id"] == kpi_id)


def test_a_host_without_sales_reads_zeros_in_their_currency_and_why_charts_are_empty(as_host, host):
    ListingFactory(host=host, currency="GBP")
    response = as_host.get(reverse("admin:index"))
    assert kpi(response, "gbv")["lines"] == ["0.00 GBP"]
    assert kpi(response, "adr")["lines"] == ["0.00 GBP"]
    charts = charts_of(response)
    assert "No booking was made in these 30 days." in str(charts["chart-bookings"]["empty"])
    assert "No paid booking" in str(charts["chart-revenue"]["empty"])
    assert charts["chart-occupancy"]["empty"] is None  # the listing had nights to sell
    body = response.content.decode()
    assert 'data-empty="true"' in body
    assert kpi(response, "payouts")["lines"] == ["0.00 GBP"]  # from payouts, none yet


def test_charts_have_legends_titled_axes_and_occupancy_out_of_100(as_host, host):
    listing = ListingFactory(host=host)
    booking = make_booking(listing=listing, check_in=future(5), nights=2)
    booking_mark_paid(booking=booking, amount=booking.total)
    response = as_host.get(reverse("admin:index"))
    charts = charts_of(response)
    for chart in charts.values():
        options = json.loads(chart["options"])
        assert options["plugins"]["legend"]["display"] is True
        assert options["scales"]["x"]["title"]["text"] and options["scales"]["y"]["title"]["text"]
    occupancy = json.loads(charts["chart-occupancy"]["options"])["scales"]["y"]
    assert (occupancy["min"], occupancy["max"]) == (0, 100)
    assert occupancy["title"]["text"] == "Occupancy (%)"
    assert charts["chart-bookings"]["empty"] is None
    assert json.loads(charts["chart-revenue"]["data"])["datasets"][0]["label"] == "EUR"
    assert kpi(response, "gbv")["lines"] == [f"{booking.total:,.2f} EUR"]


def test_the_figures_definitions_open_inside_the_back_office(as_host):
    index = as_host.get(reverse("admin:index")).content.decode()
    assert reverse("admin:kpi_definitions") in index and "KPIS.md" not in index
    page = as_host.get(reverse("admin:kpi_definitions")).content.decode()
    assert "<table>" in page and "<strong>Occupancy rate</strong>" in page
    assert "**" not in page.split('id="document"', 1)[1]
