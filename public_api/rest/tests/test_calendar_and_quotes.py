"""listings/{id}/availability, quote, reviews, blocks, calendar.ics."""

import contextlib
import uuid
from decimal import Decimal
from unittest import mock

import pytest
from django.core.cache import cache
from icalendar import Calendar
from rest_framework.renderers import JSONRenderer

from bookings.services import booking_quote
from calendars.models import CalendarDay, HostBlock
from listings.models import Listing
from public_api.rest.listings import serializers as s
from reviews.models import Review
from tests.bodies import without_request_id
from tests.factories import ListingFactory, ReviewFactory, future, make_booking, make_completed_stay

pytestmark = pytest.mark.django_db


def url(listing, tail: str) -> str:
    return f"/api/v1/listings/{listing.pk}/{tail}"


# --- availability ----------------------------------------------------------------------------


def test_availability_lists_each_night_with_its_price(anon, listing):
    make_booking(listing=listing, check_in=future(11), nights=2)
    CalendarDay.objects.create(listing=listing, date=future(10), price=150)
    response = anon.get(url(listing, "availability/"), {"start": future(10), "end": future(14)})
    assert response.status_code == 200
    days = response.data["days"]
    assert [d["date"] for d in days] == [str(future(n)) for n in range(10, 14)]
    assert [d["available"] for d in days] == [True, False, False, True]
    assert days[0]["price"] == "150.00"
    assert days[3]["price"] == "100.00"


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"start": "2030-01-01"},
        {"start": "soon", "end": "2030-01-02"},
        {"start": "2030-01-05", "end": "2030-01-01"},
        {"start": "2030-01-01", "end": "2031-01-03"},
        {"start": "2030-01-01", "end": "2030-01-02", "extra": "1"},
    ],
)
def test_availability_rejects_bad_ranges(anon, listing, params):
    assert anon.get(url(listing, "availability/"), params).status_code == 400


# --- quote -----------------------------------------------------------------------------------


def quote(client, listing, check_in, check_out, guests=2):
    params = {"check_in": check_in, "check_out": check_out, "guests": guests}
    return client.get(url(listing, "quote/"), params)


def test_quote_prices_a_stay(anon):
    listing = ListingFactory(nightly_price=100, cleaning_fee=30, tax_rate=10)
    response = quote(anon, listing, future(10), future(13))
    assert response.status_code == 200
    data = response.data
    assert data["listing"] == str(listing.pk)
    assert data["nights"] == 3
    assert len(data["nightly"]) == 3
    assert data["nightly_subtotal"] == "300.00"
    assert data["cleaning_fee"] == "30.00"
    assert data["service_fee"] == "39.60"  # 12% of 330
    assert data["taxes"] == "33.00"
    assert data["total"] == "402.60"
    assert data["currency"] == "EUR"


def test_quote_reads_the_listing_row_and_the_calendar_in_one_query(
    anon, as_host, host, django_assert_num_queries
):
    """Every quote: the listing's own row (not its host, amenities or photos) with the stay's
    calendar days and occupancies, one query, and nothing from the read cache (a quote is
    priced from what the database says now). A host quotes their own draft; nobody else can."""
    listing = ListingFactory(nightly_price=100)
    with django_assert_num_queries(1), cache_keys() as keys:
        first = quote(anon, listing, future(10), future(13))
    assert keys == []
    with cache_keys() as keys:  # the spy sees a cached read
        anon.get(url(listing, "availability/"), {"start": future(10), "end": future(13)})
    assert keys
    with django_assert_num_queries(1):
        again = quote(anon, listing, future(10), future(13))
    assert first.status_code == again.status_code == 200
    assert first.content == again.content
    draft = ListingFactory(host=host, status=Listing.Status.DRAFT)
    assert quote(anon, draft, future(10), future(13)).status_code == 404
    assert quote(as_host, draft, future(10), future(13)).status_code == 409  # their own stay


@contextlib.contextmanager
def cache_keys():
    """The keys the block reads or writes in the cache."""
    keys: list = []
    real = {name: getattr(cache, name) for name in ("get", "get_many", "add", "set", "set_many")}

    def spy(name):
        def call(key, *args, **kwargs):
            keys.extend(key if name in ("get_many", "set_many") else [key])
            return real[name](key, *args, **kwargs)

        return call

    with contextlib.ExitStack() as stack:
        for name in real:
            stack.enter_context(mock.patch.object(cache, name, spy(name)))
        yield keys


def test_a_quote_body_is_the_quote_serializer_s(anon):
    """The view renders with one shared Quote serializer: the body is what a new one gives."""
    listing = ListingFactory(
        nightly_price=100, weekend_price=130, cleaning_fee=25, weekly_discount=10, tax_rate=7
    )
    CalendarDay.objects.create(listing=listing, date=future(12), price=Decimal("155.50"))
    check_in, check_out = future(10), future(19)
    response = quote(anon, listing, check_in, check_out)
    assert response.status_code == 200
    priced = booking_quote(listing=listing, check_in=check_in, check_out=check_out, guests=2)
    body = {**vars(priced), "listing": listing.pk, "guests": 2, "nights": priced.nights}
    assert response.content == JSONRenderer().render(s.Quote(body).data)


@pytest.mark.parametrize("params", [{"guests": "two"}, {"check_in": "soon"}, {"x": "1"}])
def test_a_bad_quote_query_is_a_404_for_a_listing_the_caller_cannot_see(
    anon, as_host, host, params
):
    """As when the listing was looked up before the query was read."""
    stay = {"check_in": future(10), "check_out": future(13), "guests": 2}
    draft = ListingFactory(host=host, status=Listing.Status.DRAFT)
    missing = f"/api/v1/listings/{uuid.uuid4()}/quote/"
    assert anon.get(missing, {**stay, **params}).status_code == 404
    assert anon.get(url(draft, "quote/"), {**stay, **params}).status_code == 404
    assert as_host.get(url(draft, "quote/"), {**stay, **params}).status_code == 400


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda _home: ListingFactory(min_nights=5), "min_nights"),
        (lambda _home: ListingFactory(max_guests=1), "guests_exceed_capacity"),
        (lambda home: make_booking(listing=home, check_in=future(11)).listing, "dates_unavailable"),
    ],
)
def test_quote_of_an_unbookable_stay_is_a_409_with_the_code(anon, listing, make, code):
    target = make(listing)
    response = quote(anon, target, future(10), future(13))
    assert response.status_code == 409
    assert response.data["code"] == code


def test_quote_of_a_past_stay_is_a_409(anon, listing):
    response = quote(anon, listing, future(-5), future(-2))
    assert (response.status_code, response.data["code"]) == (409, "past_dates")


@pytest.mark.parametrize(
    ("check_in", "check_out", "guests", "field"),
    [
        (future(10), future(8), 2, "check_out"),
        (future(10), future(12), 0, "guests"),
        (future(10), future(12), "two", "guests"),
        ("tomorrow", future(12), 2, "check_in"),
    ],
)
def test_quote_of_malformed_input_is_a_400(anon, listing, check_in, check_out, guests, field):
    response = quote(anon, listing, check_in, check_out, guests)
    assert response.status_code == 400
    assert field in response.data


DATE_FORMAT = "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."
REQUIRED = "This field is required."


@pytest.mark.parametrize(
    ("query_string", "body"),
    [
        ("", {"check_in": [REQUIRED], "check_out": [REQUIRED], "guests": [REQUIRED]}),
        ("check_in=2030-01-01&check_out=2030-01-04", {"guests": [REQUIRED]}),
        ("check_in=2030-01-01&check_out=2030-01-04&guests=2&x=1",
         {"x": ["Unknown query parameter."], "code": "unknown_parameter"}),
        ("check_in=2030-01-01&check_in=2030-01-02&check_out=2030-01-04&guests=2",
         {"check_in": ["Give this parameter once."]}),
        ("check_in=2030-01-01&check_out=2030-01-04&guests=2&guests=2",
         {"guests": ["Give this parameter once."]}),
        ("check_in=soon&check_out=2030-01-04&guests=2", {"check_in": [DATE_FORMAT]}),
        ("check_in=2030-02-30&check_out=2030-01-04&guests=2", {"check_in": [DATE_FORMAT]}),
        ("check_in=2030-01-01T00:00&check_out=2030-01-04&guests=2", {"check_in": [DATE_FORMAT]}),
        ("check_in=&check_out=&guests=", {"check_in": [DATE_FORMAT], "check_out": [DATE_FORMAT],
                                          "guests": ["A valid integer is required."]}),
        ("check_in=2030-01-01&check_out=2030-01-04&guests=two",
         {"guests": ["A valid integer is required."]}),
        ("check_in=2030-01-01&check_out=2030-01-04&guests=2.5",
         {"guests": ["A valid integer is required."]}),
        ("check_in=2030-01-01&check_out=2030-01-04&guests=-1",
         {"guests": ["Ensure this value is greater than or equal to 0."]}),
        ("check_in=2030-01-01&check_out=2030-01-04&guests=1001",
         {"guests": ["Ensure this value is less than or equal to 1000."]}),
        ("check_in=2030-01-01&check_out=2030-01-04&guests=" + "1" * 1001,
         {"guests": ["String value too large."]}),
    ],
)  # fmt: skip
def test_a_malformed_quote_query_is_a_400_with_the_serializer_s_body(
    anon, listing, query_string, body
):
    response = anon.get(f"{url(listing, 'quote/')}?{query_string}")
    assert response.status_code == 400
    assert without_request_id(response) == {"code": "bad_request", **body}


@pytest.mark.parametrize("guests", ["2", "02", "2.0", "+2", " 2 "])
@pytest.mark.parametrize("check_in", [10, 11])
def test_every_spelling_of_a_stay_gets_the_same_quote(anon, check_in, guests):
    """The plain query string and the other forms the serializer accepts (read through it)."""
    listing = ListingFactory(nightly_price=100, weekend_price=120, cleaning_fee=25, tax_rate=7)
    plain = quote(anon, listing, future(check_in), future(check_in + 4))
    spelt = anon.get(
        url(listing, "quote/"),
        {"check_in": future(check_in).strftime("%Y%m%d"), "check_out": future(check_in + 4),
         "guests": guests},
    )  # fmt: skip
    assert plain.status_code == spelt.status_code == 200
    assert plain.content == spelt.content


# --- reviews of a listing --------------------------------------------------------------------


def test_reviews_lists_published_reviews_with_the_authors_first_name_only(anon):
    published = ReviewFactory(status=Review.Status.PUBLISHED, response="Thanks!")
    pending_stay = make_completed_stay(listing=published.listing, ended_days_ago=10)
    ReviewFactory(booking=pending_stay)  # pending: not shown
    response = anon.get(url(published.listing, "reviews/"))
    assert response.status_code == 200
    [item] = response.data["results"]
    assert set(item) == {"id", "rating", "comment", "author", "created_at", "response"}
    assert item["author"] == {"first_name": published.author.first_name}
    assert item["response"] == "Thanks!"


# --- blocks ----------------------------------------------------------------------------------


def test_host_blocks_and_unblocks_dates(as_host, listing):
    response = as_host.post(
        url(listing, "blocks/"), {"start": future(20), "end": future(25), "note": "Painting"}
    )
    assert response.status_code == 201
    assert response.data["note"] == "Painting"
    block_url = url(listing, f"blocks/{response.data['id']}/")
    assert as_host.delete(block_url).status_code == 204
    assert not HostBlock.objects.filter(pk=response.data["id"]).exists()


def test_a_block_over_a_booking_is_a_409(as_host, listing):
    make_booking(listing=listing, check_in=future(21))
    response = as_host.post(url(listing, "blocks/"), {"start": future(20), "end": future(25)})
    assert (response.status_code, response.data["code"]) == (409, "dates_unavailable")


@pytest.mark.parametrize(
    "body",
    [{"start": "2030-01-05", "end": "2030-01-01"}, {"start": "x", "end": "y"}, {"start": None}],
)
def test_block_input_is_validated(as_host, listing, body):
    assert as_host.post(url(listing, "blocks/"), body, format="json").status_code == 400


def test_others_cannot_touch_a_hosts_blocks(as_host, as_other_host, anon, listing):
    created = as_host.post(url(listing, "blocks/"), {"start": future(20), "end": future(22)})
    block_url = url(listing, f"blocks/{created.data['id']}/")
    refused = as_other_host.delete(block_url)
    unknown = as_other_host.delete(url(listing, f"blocks/{uuid.uuid4()}/"))
    # The listing is public, its blocks are not: an existing block reads like an unknown one.
    assert (refused.status_code, without_request_id(refused)) == (
        unknown.status_code,
        without_request_id(unknown),
    )
    assert refused.status_code == 404
    assert anon.delete(block_url).status_code == 401
    forbidden = as_other_host.post(
        url(listing, "blocks/"), {"start": future(30), "end": future(31)}
    )
    assert forbidden.status_code == 403
    assert HostBlock.objects.filter(listing=listing).count() == 1


def test_blocks_of_a_hidden_draft_are_404(as_other_host, host):
    draft = ListingFactory(host=host, status=Listing.Status.DRAFT)
    response = as_other_host.post(url(draft, "blocks/"), {"start": future(3), "end": future(4)})
    assert response.status_code == 404


# --- iCalendar feed --------------------------------------------------------------------------


def test_calendar_feed_has_one_event_per_occupied_range_and_no_guest_data(anon, listing, guest):
    make_booking(listing=listing, guest=guest, check_in=future(10), nights=2)
    make_booking(listing=listing, check_in=future(12), nights=2)  # touches: merged
    HostBlock.objects.create(listing=listing, start=future(30), end=future(31), note="Secret")
    response = anon.get(url(listing, "calendar.ics"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert [(e.decoded("dtstart"), e.decoded("dtend")) for e in events] == [
        (future(10), future(14)),
        (future(30), future(31)),
    ]
    assert guest.email.encode() not in response.content
    assert b"Secret" not in response.content


def test_calendar_feed_accepts_its_documented_format_parameter(anon, listing):
    schema = anon.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"]["/api/v1/listings/{id}/calendar.ics"]["get"]
    documented = {p["name"]: p for p in operation["parameters"] if p["in"] == "query"}
    assert documented["format"]["schema"]["enum"] == ["ics"]
    response = anon.get(url(listing, "calendar.ics"), {"format": "ics"})
    assert response.status_code == 200
    assert b"BEGIN:VCALENDAR" in response.content
    refused = anon.get(url(listing, "calendar.ics"), {"format": "json"})
    assert refused.status_code == 400
    assert "format" in refused.json()


def test_calendar_feed_honours_accept_text_calendar(anon, listing):
    response = anon.get(url(listing, "calendar.ics"), HTTP_ACCEPT="text/calendar")
    assert response.status_code == 200
    assert b"BEGIN:VCALENDAR" in response.content
