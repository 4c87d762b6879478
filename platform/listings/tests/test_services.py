from decimal import Decimal

import pytest

from accounts.roles import is_host
from common.errors import NotFound, NotPermitted, ValidationFailed
from listings import services
from listings.models import Amenity, Listing
from listings.selectors import ListingSearch, listing_search
from tests.factories import AmenityFactory, ListingFactory, UserFactory, future, make_booking

pytestmark = pytest.mark.django_db

VALID = {
    "title": "Loft by the river", "city": "Porto", "country": "pt", "nightly_price": Decimal("80"),
    "currency": "eur", "max_guests": 3, "time_zone": "Europe/Lisbon",
}  # fmt: skip


def test_creating_a_listing_makes_the_user_a_host():
    user = UserFactory()
    AmenityFactory(slug="wifi")
    listing = services.listing_create(actor=user, amenities=["wifi"], **VALID)
    assert listing.status == Listing.Status.DRAFT
    assert (listing.country, listing.currency) == ("PT", "EUR")
    assert [a.slug for a in listing.amenities.all()] == ["wifi"]
    assert is_host(user)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"currency": "XXX"}, "invalid_currency"),
        ({"currency": "JPY"}, "invalid_currency"),  # zero-decimal currencies are not supported
        ({"time_zone": "Mars/Olympus"}, "invalid_time_zone"),
        ({"time_zone": "Europe"}, "invalid_time_zone"),  # a folder of zones, not a zone
        ({"time_zone": "../../etc/passwd"}, "invalid_time_zone"),
        ({"nightly_price": Decimal("-5")}, "invalid"),
        ({"max_guests": 0}, "invalid"),
        ({"min_nights": 10, "max_nights": 5}, "invalid_nights"),
        ({"title": ""}, "invalid"),
        ({"weekly_discount": Decimal("120")}, "invalid"),
        ({"owner": "me"}, "unknown_field"),
    ],
)
def test_invalid_listings_are_refused(change, code):
    with pytest.raises(ValidationFailed) as exc:
        services.listing_create(actor=UserFactory(), **{**VALID, **change})
    assert exc.value.code == code
    assert not Listing.objects.exists()


def test_unknown_amenity_and_duplicate_external_id():
    host = UserFactory()
    with pytest.raises(ValidationFailed) as exc:
        services.listing_create(actor=host, amenities=["jacuzzi"], **VALID)
    assert exc.value.code == "unknown_amenity"
    services.listing_create(actor=host, external_id="A1", **VALID)
    with pytest.raises(ValidationFailed) as exc:
        services.listing_create(actor=host, external_id="A1", **VALID)
    assert exc.value.code == "duplicate_external_id"
    assert services.listing_create(actor=UserFactory(), external_id="A1", **VALID)  # per host


def test_only_the_host_changes_a_listing():
    listing = ListingFactory()
    with pytest.raises(NotPermitted):
        services.listing_update(listing=listing, actor=UserFactory(), title="Mine now")
    draft = ListingFactory(status=Listing.Status.DRAFT)
    with pytest.raises(NotFound):  # others' drafts are invisible
        services.listing_update(listing=draft, actor=UserFactory(), title="x")
    services.listing_update(listing=listing, actor=listing.host, title="Renamed")
    listing.refresh_from_db()
    assert listing.title == "Renamed"


def test_delete_with_bookings_unpublishes_instead():
    listing = ListingFactory()
    make_booking(listing=listing)
    assert services.listing_delete(listing=listing, actor=listing.host) is False
    listing.refresh_from_db()
    assert listing.status == Listing.Status.DRAFT
    empty = ListingFactory()
    assert services.listing_delete(listing=empty, actor=empty.host) is True
    assert not Listing.objects.filter(pk=empty.pk).exists()


def test_suspension_is_for_staff_and_sticks():
    listing = ListingFactory()
    with pytest.raises(NotPermitted):
        services.listing_suspend(listing=listing, actor=listing.host)
    staff = UserFactory(is_staff=True, is_superuser=True)
    services.listing_suspend(listing=listing, actor=staff)
    with pytest.raises(NotPermitted):
        services.listing_publish(listing=listing, actor=listing.host)


def test_search_filters_and_availability():
    wifi, pool = AmenityFactory(slug="wifi"), AmenityFactory(slug="pool")
    porto = ListingFactory(city="Porto", nightly_price=Decimal("80"), max_guests=2)
    porto.amenities.set([wifi, pool])
    lisbon = ListingFactory(city="Lisbon", nightly_price=Decimal("150"), max_guests=6)
    lisbon.amenities.set([wifi])
    ListingFactory(city="Porto", status=Listing.Status.DRAFT)
    make_booking(listing=lisbon, check_in=future(20), nights=3)

    def ids(**kw):
        return {listing.pk for listing in listing_search(ListingSearch(**kw))}

    assert ids(city="porto") == {porto.pk}
    assert ids(guests=4) == {lisbon.pk}
    assert ids(max_price=Decimal("100"), currency="eur") == {porto.pk}
    assert ids(amenities=("wifi", "pool")) == {porto.pk}
    assert ids(check_in=future(21), check_out=future(23)) == {porto.pk}
    assert ids(check_in=future(23), check_out=future(25)) == {porto.pk, lisbon.pk}
    ordered = list(listing_search(ListingSearch(ordering="-price")))
    assert [x.pk for x in ordered] == [lisbon.pk, porto.pk]


def test_search_query_count_is_constant(django_assert_max_num_queries):
    wifi = AmenityFactory(slug="wifi")
    for _ in range(30):
        ListingFactory().amenities.set([wifi])
    with django_assert_max_num_queries(3):
        rows = list(listing_search(ListingSearch())[:30])
        assert all(r.host.email for r in rows)
        assert all([a.slug for a in r.amenities.all()] == ["wifi"] for r in rows)
        assert all(list(r.photos.all()) == [] for r in rows)


def test_update_can_publish_in_the_same_transaction():
    listing = ListingFactory(status=Listing.Status.DRAFT)
    services.listing_update(listing=listing, actor=listing.host, title="Ready", status="published")
    listing.refresh_from_db()
    assert (listing.title, listing.status) == ("Ready", Listing.Status.PUBLISHED)
    with pytest.raises(ValidationFailed) as exc:
        services.listing_update(listing=listing, actor=listing.host, status="suspended")
    assert exc.value.code == "invalid_status"


def test_amenity_filter_is_one_subquery_and_capped(django_assert_max_num_queries):
    slugs = [AmenityFactory(slug=f"a{i}").slug for i in range(20)]
    full = ListingFactory()
    full.amenities.set(Amenity.objects.all())
    ListingFactory().amenities.set([])
    with django_assert_max_num_queries(3):
        assert [x.pk for x in listing_search(ListingSearch(amenities=tuple(slugs)))] == [full.pk]
    with pytest.raises(ValidationFailed) as exc:
        list(listing_search(ListingSearch(amenities=tuple(f"s{i}" for i in range(21)))))
    assert exc.value.code == "too_many_amenities"


def test_dates_in_the_past_find_nothing():
    ListingFactory()
    past = ListingSearch(check_in=future(-10), check_out=future(-7))
    assert list(listing_search(past)) == []
    assert len(listing_search(ListingSearch(check_in=future(1), check_out=future(3)))) == 1


def test_yesterday_utc_can_still_be_today_somewhere_west():
    import datetime as dt

    from django.utils import timezone

    from common.dates import today_in

    west = ListingFactory(time_zone="Pacific/Pago_Pago")  # UTC-11
    east = ListingFactory(time_zone="Pacific/Kiritimati")  # UTC+14
    utc_today = timezone.now().date()
    for check_in in (utc_today - dt.timedelta(days=1), utc_today):
        stay = ListingSearch(check_in=check_in, check_out=check_in + dt.timedelta(days=2))
        found = set(listing_search(stay))
        for listing in (west, east):
            assert (listing in found) == (today_in(listing.time_zone) <= check_in)


def test_staff_transfer_a_listing_and_the_new_owner_becomes_a_host():
    listing = ListingFactory(external_id="REF-1")
    new_owner = UserFactory()
    staff = UserFactory(is_staff=True, is_superuser=True)
    with pytest.raises(NotPermitted):
        services.listing_transfer(listing=listing, new_host=new_owner, actor=listing.host)
    services.listing_transfer(listing=listing, new_host=new_owner, actor=staff)
    listing.refresh_from_db()
    assert listing.host == new_owner and is_host(new_owner)
    assert listing.history.latest().host_id == new_owner.pk


def test_transfer_keeps_external_ids_unique_per_host():
    staff = UserFactory(is_staff=True, is_superuser=True)
    moving = ListingFactory(external_id="REF-2")
    taken = ListingFactory(external_id="REF-2")
    with pytest.raises(ValidationFailed) as exc:
        services.listing_transfer(listing=moving, new_host=taken.host, actor=staff)
    assert exc.value.code == "duplicate_external_id"
    moving.refresh_from_db()
    assert moving.host != taken.host


# --- Who may create a listing for whom (one rule: listings.permissions) ------------------------


def _staff(*codenames):
    from django.contrib.auth.models import Permission

    user = UserFactory(is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def test_staff_with_add_and_change_create_a_listing_for_another_host():
    staff, owner = _staff("add_listing", "change_listing"), UserFactory()
    listing = services.listing_create(actor=staff, host=owner, **VALID)
    assert listing.host == owner and is_host(owner)
    assert listing.history.get().history_user == staff


@pytest.mark.parametrize("actor", ["host", "staff_without_change"])
def test_nobody_else_creates_a_listing_for_another_host(actor):
    who = UserFactory() if actor == "host" else _staff("add_listing")
    with pytest.raises(NotPermitted) as exc:
        services.listing_create(actor=who, host=UserFactory(), **VALID)
    assert exc.value.code == "not_listing_host"
    assert not Listing.objects.exists()


def test_a_listing_for_an_inactive_account_is_refused():
    staff = _staff("add_listing", "change_listing")
    with pytest.raises(ValidationFailed) as exc:
        services.listing_create(actor=staff, host=UserFactory(is_active=False), **VALID)
    assert exc.value.code == "invalid_host"


# --- Every problem of a listing at once ---------------------------------------------------------


def test_validation_reports_every_problem_of_a_listing_at_once():
    from common.errors import FieldErrors

    change = {"title": "", "nightly_price": Decimal("0"), "currency": "XXX",
              "time_zone": "Mars/Olympus", "max_guests": 0}  # fmt: skip
    with pytest.raises(FieldErrors) as exc:
        services.listing_create(actor=UserFactory(), **{**VALID, **change})
    errors = exc.value.errors
    assert set(errors) == {"title", "nightly_price", "currency", "time_zone", "max_guests"}
    assert errors["currency"] == ["Unsupported currency: XXX."]  # once, not also as a choice
    assert exc.value.code == "invalid_currency"  # the first problem's code, for one-error UIs
    assert {p.code for p in exc.value.problems} == {
        "invalid_currency",
        "invalid_time_zone",
        "invalid",
    }


def test_a_remembered_verdict_tells_decimal_places_apart():
    """1.0 == 1.00 == 1.000 for Python, but only the last has too many decimal places."""
    user = UserFactory()
    assert services.listing_create(actor=user, **{**VALID, "nightly_price": Decimal("80.00")})
    with pytest.raises(ValidationFailed, match="decimal places"):
        services.listing_create(actor=user, **{**VALID, "nightly_price": Decimal("80.000")})
