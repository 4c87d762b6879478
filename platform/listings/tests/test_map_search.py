"""Map search in the core: bounding boxes (across the antimeridian too) and distance search
(near the poles, nearest first), the same on SQLite and PostgreSQL."""

import math
from decimal import Decimal

import pytest

from common.errors import ValidationFailed
from listings.models import Listing
from listings.selectors import EARTH_RADIUS_KM, ListingSearch, listing_search
from tests.factories import ListingFactory

pytestmark = pytest.mark.django_db


def place(title, lat, lng, **kwargs):
    return ListingFactory(
        title=title, latitude=Decimal(str(lat)), longitude=Decimal(str(lng)), **kwargs
    )


def titles(params: ListingSearch) -> list[str]:
    return [listing.title for listing in listing_search(params)]


def haversine(lat1, lng1, lat2, lng2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lng2 - lng1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def test_bbox_keeps_what_is_inside_the_viewport():
    place("paris", 48.8566, 2.3522)
    place("lyon", 45.764, 4.8357)
    place("edge", 48.9, 2.42)  # on the border: inside
    ListingFactory(title="nowhere", latitude=None, longitude=None)
    place("draft", 48.85, 2.35, status=Listing.Status.DRAFT)

    assert sorted(titles(ListingSearch(bbox="2.25,48.81,2.42,48.90"))) == ["edge", "paris"]


def test_bbox_crossing_the_antimeridian_takes_both_sides():
    place("fiji", -17.7, 178.0)
    place("samoa", -13.8, -172.1)
    place("greenwich", 51.48, 0.0)
    place("too far south", -60.0, 179.0)

    found = titles(ListingSearch(bbox="170,-30,-170,0"))

    assert sorted(found) == ["fiji", "samoa"]


def test_near_orders_by_distance_and_keeps_the_radius():
    place("far", 48.0, 2.35)  # ~95 km south of Paris
    place("close", 48.86, 2.35)
    place("mid", 48.7, 2.35)  # ~17 km

    assert titles(ListingSearch(near="48.8566,2.3522", radius_km=50)) == ["close", "mid"]
    assert titles(ListingSearch(near="48.8566,2.3522", radius_km=100)) == ["close", "mid", "far"]


def test_near_across_the_antimeridian():
    place("east of 180", 0.0, 179.9)
    place("west of 180", 0.0, -179.95)
    place("greenwich", 0.0, 0.0)

    found = listing_search(ListingSearch(near="0,-179.99", radius_km=50))

    assert [x.title for x in found] == ["west of 180", "east of 180"]
    assert found[1].distance_km == pytest.approx(haversine(0, -179.99, 0, 179.9), rel=1e-6)


def test_near_a_pole_takes_every_longitude():
    # Both are within ~250 km of a point near the north pole, on opposite sides of it.
    place("svalbard side", 88.5, 15.0)
    place("other side", 88.5, -165.0)
    place("too far", 80.0, 15.0)

    found = listing_search(ListingSearch(near="89.5,15", radius_km=300))

    assert [x.title for x in found] == ["svalbard side", "other side"]
    assert found[1].distance_km == pytest.approx(haversine(89.5, 15, 88.5, -165), rel=1e-6)


def test_near_agrees_with_a_brute_force_distance_check():
    points = [(lat, lng) for lat in range(-85, 90, 17) for lng in range(-180, 180, 23)]
    for lat, lng in points:
        place(f"{lat},{lng}", lat, lng)
    for centre, radius in [((10.0, 170.0), 3000), ((-80.0, -20.0), 2500), ((45, 0), 1500)]:
        expected = sorted(
            (haversine(*centre, lat, lng), f"{lat},{lng}")
            for lat, lng in points
            if haversine(*centre, lat, lng) <= radius
        )
        found = titles(ListingSearch(near=f"{centre[0]},{centre[1]}", radius_km=radius))
        assert found == [title for _, title in expected]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        (ListingSearch(bbox="1,2,3"), "bbox"),
        (ListingSearch(bbox="a,b,c,d"), "bbox"),
        (ListingSearch(bbox="nan,0,1,1"), "bbox"),
        (ListingSearch(bbox="-181,0,1,1"), "bbox"),
        (ListingSearch(bbox="0,-91,1,1"), "bbox"),
        (ListingSearch(bbox="0,10,1,5"), "bbox"),
        (ListingSearch(near="48.8", radius_km=5), "near"),
        (ListingSearch(near="91,0", radius_km=5), "near"),
        (ListingSearch(near="0,inf", radius_km=5), "near"),
        (ListingSearch(near="0,0"), "radius_km"),
        (ListingSearch(near="0,0", radius_km=0), "radius_km"),
        (ListingSearch(near="0,0", radius_km=20001), "radius_km"),
        (ListingSearch(near="0,0", radius_km=float("nan")), "radius_km"),
        (ListingSearch(radius_km=5), "radius_km"),
    ],
)
def test_bad_map_filters_are_invalid_filter(params, field):
    with pytest.raises(ValidationFailed) as refused:
        listing_search(params)
    assert refused.value.code == "invalid_filter"
    assert refused.value.field == field
