"""listings/: search, detail, host writes."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.renderers import JSONRenderer
from rest_framework.serializers import ModelSerializer
from rest_framework.test import APIRequestFactory

from bookings.models import Booking
from calendars.models import CalendarDay
from listings.models import Listing, ListingPhoto
from listings.selectors import ListingSearch, listing_base_queryset, listing_search_cached
from public_api.rest.fields import PublicPerson
from public_api.rest.listings.serializers import HostPhoto, ListingDetail, ListingItem, Photo
from public_api.rest.tests.conftest import client_for
from tests.factories import AmenityFactory, ListingFactory, future, make_booking

pytestmark = pytest.mark.django_db

LIST = "/api/v1/listings/"


def detail_url(listing) -> str:
    return f"{LIST}{listing.pk}/"


def ids(response) -> set[str]:
    return {item["id"] for item in response.data["results"]}


# --- search ----------------------------------------------------------------------------------


def test_search_returns_published_listings_paginated(anon, listing):
    ListingFactory(status=Listing.Status.DRAFT)
    response = anon.get(LIST)
    assert response.status_code == 200
    assert {"next", "previous", "results"} <= set(response.data)
    assert ids(response) == {str(listing.pk)}
    item = response.data["results"][0]
    assert set(item) == {
        "id", "title", "city", "country", "property_type", "nightly_price", "currency",
        "max_guests", "bedrooms", "beds", "bathrooms", "amenities", "rating", "review_count",
        "instant_book", "host", "photo", "saved", "status", "distance_km",
    }  # fmt: skip
    assert item["distance_km"] is None  # only a search around a point (near) has distances
    assert item["nightly_price"] == "100.00"
    assert item["host"] == {"id": str(listing.host.pk), "first_name": "Hannah"}


def test_a_search_page_is_serialized_from_its_prefetched_relations(anon, monkeypatch, rf):
    """A page's amenities and photo are read from what the search prefetched (or cached):
    building a related manager per listing and relation cost more than the rest of an item."""
    listing = ListingFactory(city="Lisbon")
    listing.amenities.add(AmenityFactory(slug="wifi"), AmenityFactory(slug="desk"))
    ListingPhoto.objects.create(listing=listing, image="listings/b.jpg", position=1)
    ListingPhoto.objects.create(listing=listing, image="listings/a.jpg", position=0)
    body = anon.get(LIST, {"city": "Lisbon"}).json()
    assert body["results"][0]["amenities"] == ["desk", "wifi"]
    assert body["results"][0]["photo"] == "http://testserver/media/listings/a.jpg"
    page = listing_search_cached(ListingSearch(city="Lisbon"))[0:20]  # a cached page
    for item in page:
        item.is_saved = False
    context = {"request": rf.get(LIST)}
    for relation in ("amenities", "photos"):
        monkeypatch.setattr(Listing, relation, property(lambda listing: pytest.fail("manager")))
    assert ListingItem(page, many=True, context=context).data == body["results"]


def test_search_filters_by_place_capacity_and_price(anon):
    paris = ListingFactory(city="Paris", country="FR", max_guests=6, nightly_price=80)
    ListingFactory(city="Paris", country="FR", max_guests=2, nightly_price=300)
    ListingFactory(city="Porto", country="PT", max_guests=6, nightly_price=80)
    assert ids(anon.get(LIST, {"city": "paris", "guests": 4})) == {str(paris.pk)}
    assert ids(anon.get(LIST, {"country": "fr", "max_price": "100", "currency": "EUR"})) == {
        str(paris.pk)
    }
    prices = {"min_price": "50", "max_price": "90", "currency": "eur"}
    assert len(anon.get(LIST, prices).data["results"]) == 2


def test_price_filters_are_in_one_currency(anon):
    euros = ListingFactory(nightly_price=80, currency="EUR")
    rands = ListingFactory(nightly_price=80, currency="ZAR")
    ListingFactory(nightly_price=1400, currency="ZAR")
    assert ids(anon.get(LIST, {"max_price": "100", "currency": "EUR"})) == {str(euros.pk)}
    assert ids(anon.get(LIST, {"max_price": "100", "currency": "zar"})) == {str(rands.pk)}
    assert len(ids(anon.get(LIST, {"currency": "ZAR"}))) == 2
    refused = anon.get(LIST, {"min_price": "100"})
    assert refused.status_code == 400
    assert refused.data["code"] == "currency_required" and "currency" in refused.data
    unknown = anon.get(LIST, {"currency": "XYZ"})
    assert unknown.status_code == 400 and unknown.data["code"] == "invalid_currency"


def test_search_requires_every_amenity(anon):
    wifi, pool = AmenityFactory(slug="wifi"), AmenityFactory(slug="pool")
    both = ListingFactory()
    both.amenities.set([wifi, pool])
    ListingFactory().amenities.set([wifi])
    response = anon.get(LIST, {"amenities": "wifi,pool"})
    assert ids(response) == {str(both.pk)}
    assert response.data["results"][0]["amenities"] == ["pool", "wifi"]


def test_search_by_many_amenities_up_to_the_cap(anon, django_assert_num_queries):
    amenities = [AmenityFactory(slug=f"feature-{i}") for i in range(21)]
    match = ListingFactory()
    match.amenities.set(amenities)
    ListingFactory().amenities.set(amenities[1:])
    slugs = [a.slug for a in amenities]

    with CaptureQueriesContext(connection) as one:
        assert ids(anon.get(LIST, {"amenities": slugs[0]})) == {str(match.pk)}
    # Twenty amenities: the same number of queries (one subquery, not a join per slug).
    with django_assert_num_queries(len(one)):
        assert ids(anon.get(LIST, {"amenities": ",".join(slugs[:20])})) == {str(match.pk)}
    too_many = anon.get(LIST, {"amenities": ",".join(slugs)})
    assert too_many.status_code == 400
    assert too_many.data["code"] == "too_many_amenities"
    assert "amenities" in too_many.data


def test_search_with_dates_keeps_only_bookable_listings(anon):
    free = ListingFactory()
    booked = ListingFactory()
    blocked = ListingFactory()
    too_short = ListingFactory(min_nights=7)
    make_booking(listing=booked, check_in=future(11), nights=2)
    CalendarDay.objects.create(listing=blocked, date=future(12), is_blocked=True)
    response = anon.get(LIST, {"check_in": future(10), "check_out": future(13)})
    assert ids(response) == {str(free.pk)}
    assert str(too_short.pk) not in ids(response)


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [("price", ["50.00", "70.00", "90.00"]), ("-price", ["90.00", "70.00", "50.00"])],
)
def test_search_orders_by_price(anon, ordering, expected):
    for price in (70, 90, 50):
        ListingFactory(nightly_price=price)
    response = anon.get(LIST, {"ordering": ordering})
    assert [item["nightly_price"] for item in response.data["results"]] == expected


def test_search_orders_by_rating(anon):
    ListingFactory(rating_average=Decimal("3.50"), review_count=2)
    ListingFactory(rating_average=Decimal("4.90"), review_count=9)
    response = anon.get(LIST, {"ordering": "-rating"})
    assert [item["rating"] for item in response.data["results"]] == ["4.90", "3.50"]


def test_page_size_and_links(anon):
    ListingFactory.create_batch(3)
    first = anon.get(LIST, {"page_size": 2})
    assert len(first.data["results"]) == 2
    assert first.data["previous"] is None
    second = anon.get(first.data["next"])
    assert len(second.data["results"]) == 1
    assert second.data["next"] is None


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page_size": 101}, "page_size"),
        ({"page_size": "ten"}, "page_size"),
        ({"page": "x"}, "page"),
        ({"prise_max": 5}, "prise_max"),
        ({"check_in": "2030-02-30", "check_out": "2030-03-02"}, "check_in"),
        ({"check_in": future(5)}, "check_out"),
        ({"check_in": future(5), "check_out": future(3)}, "check_out"),
        ({"check_in": future(5), "check_out": future(500)}, "check_out"),
        ({"guests": "many"}, "guests"),
        ({"guests": "9" * 30}, "guests"),
        ({"min_price": "1e400"}, "min_price"),
        ({"ordering": "cheapest"}, "ordering"),
    ],
)
def test_malformed_search_is_a_400_naming_the_parameter(anon, params, field):
    response = anon.get(LIST, params)
    assert response.status_code == 400
    assert field in response.data


# "²".isdigit() is True but int("²") fails (was a 500); "٣" and "３" are digits int() accepts.
NON_ASCII_NUMBERS = ["\u00b2", "\u0663", "\uff13", "1\u00b2", "\u0661\u0660", " 3", "+3", "3_0"]


@pytest.mark.parametrize("raw", NON_ASCII_NUMBERS)
@pytest.mark.parametrize("param", ["page", "page_size"])
def test_page_numbers_must_be_ascii_digits(anon, as_guest, param, raw):
    ListingFactory()
    for client, url in ((anon, LIST), (as_guest, "/api/v1/bookings/")):
        response = client.get(url, {param: raw})
        assert response.status_code == 400, (url, response.content)
        assert param in response.data


def test_mine_lists_the_callers_own_listings_in_any_status(as_host, host, anon):
    draft = ListingFactory(host=host, status=Listing.Status.DRAFT)
    ListingFactory()  # someone else's
    assert ids(as_host.get(LIST, {"mine": 1})) == {str(draft.pk)}
    assert anon.get(LIST, {"mine": 1}).status_code == 401


def test_mine_shows_each_listings_status(as_host, host, anon):
    ListingFactory(host=host, title="draft", status=Listing.Status.DRAFT)
    ListingFactory(host=host, title="live", status=Listing.Status.PUBLISHED)
    ListingFactory(host=host, title="stopped", status=Listing.Status.SUSPENDED)
    results = as_host.get(LIST, {"mine": 1}).data["results"]
    assert {item["title"]: item["status"] for item in results} == {
        "draft": "draft",
        "live": "published",
        "stopped": "suspended",
    }
    # The public search shows the same field; only published listings are in it.
    assert [item["status"] for item in anon.get(LIST).data["results"]] == ["published"]


def test_search_query_count_does_not_grow_with_the_page(anon, django_assert_max_num_queries):
    wifi = AmenityFactory(slug="wifi")

    def add(count):
        for listing in ListingFactory.create_batch(count):
            listing.amenities.set([wifi])
            ListingPhoto.objects.create(listing=listing, image="listings/a.jpg")

    def queries_for(page_size):
        with CaptureQueriesContext(connection) as captured:
            response = anon.get(LIST, {"page_size": page_size})
        assert len(response.data["results"]) == page_size
        return len(captured), response

    add(2)
    small, _ = queries_for(2)
    add(48)
    large, response = queries_for(50)
    assert small == large  # count, page, amenities, photos: the same for 2 or 50 listings
    with django_assert_max_num_queries(4):
        anon.get(LIST, {"page_size": 100})
    assert response.data["results"][0]["photo"].endswith("/media/listings/a.jpg")
    assert response.data["results"][0]["amenities"] == ["wifi"]


# --- detail ----------------------------------------------------------------------------------


def test_detail_adds_the_full_terms(anon, listing):
    response = anon.get(detail_url(listing))
    assert response.status_code == 200
    for field in (
        "description", "latitude", "longitude", "cleaning_fee", "weekend_price", "min_nights",
        "max_nights", "weekly_discount", "monthly_discount", "tax_rate", "cancellation_policy",
        "photos", "status",
    ):  # fmt: skip
        assert field in response.data
    assert "email" not in response.data["host"]


def test_detail_hides_drafts_from_everyone_but_their_host(anon, as_other_host, as_host, host):
    draft = ListingFactory(host=host, status=Listing.Status.DRAFT)
    assert anon.get(detail_url(draft)).status_code == 404
    assert as_other_host.get(detail_url(draft)).status_code == 404
    assert as_host.get(detail_url(draft)).status_code == 200


def test_signed_out_detail_is_served_from_one_cached_body(
    anon, as_other_guest, listing, django_assert_num_queries
):
    """A signed-out read of a published listing is its serialized body from the read cache:
    listing, amenities, photos on the first read (one query on PostgreSQL, three elsewhere),
    no query (and no serializer) after, the same body a signed-in caller gets; a write shows
    on the next read."""
    wifi = AmenityFactory(slug="wifi")
    listing.amenities.set([wifi])
    ListingPhoto.objects.create(listing=listing, image="listings/a.jpg")
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 3):
        first = anon.get(detail_url(listing))
    with django_assert_num_queries(0):
        again = anon.get(detail_url(listing))
    assert first.status_code == again.status_code == 200
    assert first.content == again.content
    assert again.json() == as_other_guest.get(detail_url(listing)).json()
    assert again.json()["photos"][0]["url"] == "http://testserver/media/listings/a.jpg"
    assert again.json()["amenities"] == ["wifi"]
    # Photo URLs are absolute: another site address is another body.
    other = anon.get(detail_url(listing), HTTP_HOST="localhost")
    assert other.json()["photo"] == "http://localhost/media/listings/a.jpg"
    Listing.objects.filter(pk=listing.pk).update(title="Renamed")  # no invalidation yet
    assert anon.get(detail_url(listing)).json()["title"] == "Sea view loft"
    as_host_client = client_for(listing.host)
    assert as_host_client.patch(detail_url(listing), {"title": "Renamed loft"}).status_code == 200
    assert anon.get(detail_url(listing)).json()["title"] == "Renamed loft"


class IntrospectedListingDetail(ListingDetail):
    """ListingDetail with its fields built by DRF for each instance, as before the prototype."""

    def get_fields(self):
        return ModelSerializer.get_fields(self)


@pytest.mark.parametrize("serializer", [ListingDetail, Photo, HostPhoto, PublicPerson])
def test_fields_built_once_are_copies_of_what_drf_builds(serializer):
    introspected = type("Introspected", (serializer,), {"get_fields": ModelSerializer.get_fields})
    for _ in range(2):  # the prototype, then a copy of it
        assert repr(serializer().fields) == repr(introspected().fields)


def test_listing_detail_copies_fields_built_once_as_drf_builds_them():
    assert repr(ListingDetail().fields) == repr(IntrospectedListingDetail().fields)
    first, second = ListingDetail().fields, ListingDetail().fields
    assert all(first[name] is not second[name] for name in first)  # copies, never shared
    assert first["host"].fields["id"] is not second["host"].fields["id"]
    assert first["photos"].child is not second["photos"].child
    assert first["amenities"].child_relation is not second["amenities"].child_relation
    # Binding a copy to its serializer leaves the prototype unbound
    prototype = ListingDetail._fields_prototype
    assert all(field.parent is None for field in prototype.values())
    assert first["title"].parent is not second["title"].parent


def test_a_signed_out_miss_sends_the_body_the_generic_read_gives(anon, host):
    """The signed-out body (read in one query on PostgreSQL, fields copied from a prototype) is
    byte for byte what DRF's introspected serializer gives for the listing read with
    `listing_base_queryset`, for listings with none to several photos and amenities; a
    signed-in caller gets the same body by their own path."""
    amenities = [AmenityFactory(slug=slug) for slug in ("wifi", "desk", "pool")]
    request = APIRequestFactory().get("/")
    request.user = AnonymousUser()
    for i in range(6):
        listing = ListingFactory(host=host, status=Listing.Status.PUBLISHED)
        listing.amenities.set(amenities[: i % 4])  # none to all three
        for position in range(i % 3):  # none, one or two photos, shown in position order
            ListingPhoto.objects.create(
                listing=listing, image=f"listings/{i}-{position}.jpg", caption=f"c{position}",
                position=2 - position,
            )  # fmt: skip
        generic = listing_base_queryset().get(pk=listing.pk)
        data = IntrospectedListingDetail(generic, context={"request": request}).data
        expected = JSONRenderer().render(data)
        assert anon.get(detail_url(listing)).content == expected
        assert client_for(host).get(detail_url(listing)).content == expected


def test_a_signed_out_hit_sends_the_stored_bytes_without_rendering(
    anon, as_other_guest, listing, monkeypatch
):
    """The cached body is what DRF renders for the same listing (byte for byte), sent on a hit
    without the JSON renderer; another negotiated form is rendered as before."""
    first = anon.get(detail_url(listing))
    signed_in = as_other_guest.get(detail_url(listing))
    assert first.content == JSONRenderer().render(signed_in.data)
    assert first["Content-Type"] == signed_in["Content-Type"] == "application/json"

    def never(*args, **kwargs):
        raise AssertionError("rendered again although the body is stored")

    with monkeypatch.context() as patched:
        patched.setattr(JSONRenderer, "render", never)
        again = anon.get(detail_url(listing))
    assert again.status_code == 200 and again.content == first.content
    assert again.data == first.json() == signed_in.json()
    pretty = anon.get(detail_url(listing), HTTP_ACCEPT="application/json; indent=4")
    assert pretty.content == JSONRenderer().render(signed_in.data, "application/json; indent=4")
    assert anon.get(detail_url(listing), HTTP_ACCEPT="text/html").status_code == 406


def test_detail_of_a_malformed_or_unknown_id(anon):
    assert anon.get(f"{LIST}not-a-uuid/").status_code == 400
    assert anon.get(f"{LIST}00000000-0000-0000-0000-000000000000/").status_code == 404


# --- writes ----------------------------------------------------------------------------------

NEW = {
    "title": "Cabin in the woods",
    "city": "Sintra",
    "country": "pt",
    "nightly_price": "95.50",
    "max_guests": 3,
    "currency": "EUR",
}


def test_any_user_can_list_a_home_and_becomes_a_host(as_guest, guest):
    AmenityFactory(slug="wifi")
    response = as_guest.post(LIST, {**NEW, "amenities": ["wifi"]}, format="json")
    assert response.status_code == 201
    assert response.data["status"] == "draft"
    assert response.data["country"] == "PT"
    assert response.data["amenities"] == ["wifi"]
    assert guest.groups.filter(name="Hosts").exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"nightly_price": "1e30"}, "nightly_price"),
        ({"nightly_price": "0"}, "nightly_price"),
        ({"max_guests": 10**12}, "max_guests"),
        ({"max_guests": "lots"}, "max_guests"),
        ({"currency": "XXX"}, "currency"),
        ({"amenities": ["no-such-thing"]}, "amenities"),
        ({"min_nights": 10, "max_nights": 5}, "min_nights"),
        ({"status": "suspended"}, "status"),
        ({"title": ""}, "title"),
    ],
)
def test_create_rejects_invalid_listings(as_guest, change, field):
    response = as_guest.post(LIST, {**NEW, **change}, format="json")
    assert response.status_code == 400
    assert field in response.data


def test_create_names_every_field_at_fault_at_once(as_guest):
    change = {"time_zone": "Mars/Olympus_Mons", "min_nights": 10, "max_nights": 5}
    response = as_guest.post(LIST, {**NEW, **change}, format="json")
    assert response.status_code == 400
    assert set(response.data) == {"time_zone", "min_nights", "code"}
    assert response.data["code"] == "invalid_time_zone"


def test_create_needs_a_token(anon):
    assert anon.post(LIST, NEW, format="json").status_code == 401


def test_host_patches_and_publishes(as_host, host):
    draft = ListingFactory(host=host, status=Listing.Status.DRAFT)
    response = as_host.patch(
        detail_url(draft), {"nightly_price": "120.00", "status": "published"}, format="json"
    )
    assert response.status_code == 200
    assert (response.data["nightly_price"], response.data["status"]) == ("120.00", "published")


def test_a_refused_status_change_undoes_the_field_changes(as_host, host):
    suspended = ListingFactory(host=host, status=Listing.Status.SUSPENDED, title="Before")
    response = as_host.patch(
        detail_url(suspended), {"title": "After", "status": "published"}, format="json"
    )
    assert (response.status_code, response.data["code"]) == (403, "listing_suspended")
    suspended.refresh_from_db()
    assert (suspended.title, suspended.status) == ("Before", Listing.Status.SUSPENDED)


def test_other_hosts_cannot_change_a_listing(as_other_host, as_other_guest, listing):
    for client in (as_other_host, as_other_guest):
        patch = client.patch(detail_url(listing), {"title": "Mine now"}, format="json")
        assert patch.status_code == 403
        assert patch.data["code"] == "not_listing_host"
        assert client.delete(detail_url(listing)).status_code == 403
    listing.refresh_from_db()
    assert listing.title == "Sea view loft"


def test_delete_removes_a_listing_without_bookings(as_host, listing):
    assert as_host.delete(detail_url(listing)).status_code == 204
    assert not Listing.objects.filter(pk=listing.pk).exists()


def test_delete_of_a_listing_with_bookings_unpublishes_it(as_host, listing):
    make_booking(listing=listing)
    response = as_host.delete(detail_url(listing))
    assert response.status_code == 200
    assert response.data["status"] == "draft"
    assert Booking.objects.filter(listing=listing).exists()
