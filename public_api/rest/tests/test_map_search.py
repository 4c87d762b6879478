"""listings/?bbox= and ?near=&radius_km=: the core's map search through REST."""

from decimal import Decimal

import pytest

from tests.factories import ListingFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/listings/"


def place(title, lat, lng):
    return ListingFactory(title=title, latitude=Decimal(str(lat)), longitude=Decimal(str(lng)))


def titles(response) -> list[str]:
    return [item["title"] for item in response.data["results"]]


def test_bbox_and_near(anon):
    place("fiji", -17.7, 178.0)
    place("samoa", -13.8, -172.1)
    place("paris", 48.8566, 2.3522)

    crossing = anon.get(LIST, {"bbox": "170,-30,-170,0"})
    assert crossing.status_code == 200
    assert sorted(titles(crossing)) == ["fiji", "samoa"]

    near = anon.get(LIST, {"near": "-15,179", "radius_km": "1500", "ordering": "price"})
    assert near.status_code == 200
    assert titles(near) == ["fiji", "samoa"]
    # Each result says how far it is (fiji ~300 km, samoa ~900 km), to the metre.
    fiji, samoa = (item["distance_km"] for item in near.data["results"])
    assert 250 < fiji < 350 and 850 < samoa < 1000 and round(fiji, 3) == fiji
    again = anon.get(LIST, {"near": "-15,179", "radius_km": "1500"})  # from the search cache
    assert [item["distance_km"] for item in again.data["results"]] == [fiji, samoa]
    assert {item["distance_km"] for item in crossing.data["results"]} == {None}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"bbox": "1,2,3"}, "bbox"),
        ({"bbox": "0,95,1,96"}, "bbox"),
        ({"bbox": "0,10,1,5"}, "bbox"),
        ({"near": "x,y", "radius_km": 5}, "near"),
        ({"near": "0,200", "radius_km": 5}, "near"),
        ({"near": "0,0"}, "radius_km"),
        ({"near": "0,0", "radius_km": -1}, "radius_km"),
        ({"radius_km": 5}, "radius_km"),
    ],
)
def test_bad_map_filters_are_a_400_invalid_filter(anon, params, field):
    response = anon.get(LIST, params)
    assert response.status_code == 400, response.content
    assert response.data["code"] == "invalid_filter"
    assert field in response.data


def test_map_filters_are_documented(anon):
    schema = anon.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    names = {p["name"] for p in schema.json()["paths"][LIST]["get"]["parameters"]}
    assert {"bbox", "near", "radius_km"} <= names


def test_q_text_search(anon):
    ListingFactory(title="Flat with a sea view", city="Nice")
    ListingFactory(title="Barn", city="Lyon")

    response = anon.get(LIST, {"q": "sea view"})
    assert response.status_code == 200
    assert titles(response) == ["Flat with a sea view"]
    assert titles(anon.get(LIST, {"q": "lyon"})) == ["Barn"]

    for bad, code in (("", "invalid_filter"), (" ", "invalid_filter"), ("x" * 201, "too_long")):
        refused = anon.get(LIST, {"q": bad})
        assert refused.status_code == 400, (bad, refused.content)
        assert "q" in refused.data and refused.data["code"] == code  # GraphQL's codes
