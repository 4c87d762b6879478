"""listings(bbox:, near:, radiusKm:): the core's map search through GraphQL."""

from decimal import Decimal

import pytest

from tests.factories import ListingFactory

pytestmark = pytest.mark.django_db

SEARCH = """
query Map($bbox: String, $near: String, $radiusKm: Float) {
  listings(bbox: $bbox, near: $near, radiusKm: $radiusKm) { edges { node { title } } }
}
"""


def place(title, lat, lng):
    return ListingFactory(title=title, latitude=Decimal(str(lat)), longitude=Decimal(str(lng)))


def titles(data) -> list[str]:
    return [edge["node"]["title"] for edge in data["listings"]["edges"]]


def test_bbox_and_near(gql):
    place("fiji", -17.7, 178.0)
    place("samoa", -13.8, -172.1)
    place("paris", 48.8566, 2.3522)

    assert sorted(titles(gql.data(SEARCH, {"bbox": "170,-30,-170,0"}))) == ["fiji", "samoa"]
    assert titles(gql.data(SEARCH, {"near": "-15,179", "radiusKm": 1500})) == ["fiji", "samoa"]
    distances = """query { listings(near: "-15,179", radiusKm: 1500) {
      edges { node { title distanceKm } } } }"""
    edges = gql.data(distances)["listings"]["edges"]
    fiji, samoa = (edge["node"]["distanceKm"] for edge in edges)
    assert 250 < fiji < 350 and 850 < samoa < 1000
    boxed = gql.data('{ listings(bbox: "170,-30,-170,0") { edges { node { distanceKm } } } }')
    assert {edge["node"]["distanceKm"] for edge in boxed["listings"]["edges"]} == {None}


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"bbox": "1,2,3"}, "bbox"),
        ({"bbox": "0,95,1,96"}, "bbox"),
        ({"near": "x,y", "radiusKm": 5}, "near"),
        ({"near": "0,0"}, "radius_km"),
        ({"near": "0,0", "radiusKm": -1}, "radius_km"),
        ({"radiusKm": 5}, "radius_km"),
    ],
)
def test_bad_map_filters_are_invalid_filter(gql, variables, field):
    body = gql(SEARCH, variables)
    assert body["data"]["listings"] is None
    assert body["errors"][0]["extensions"]["code"] == "invalid_filter"


TEXT = """
query Text($q: String) { listings(q: $q) { edges { node { title } } } }
"""


def test_q_text_search(gql):
    ListingFactory(title="Flat with a sea view", city="Nice")
    ListingFactory(title="Barn", city="Lyon")

    assert titles(gql.data(TEXT, {"q": "sea view"})) == ["Flat with a sea view"]
    assert titles(gql.data(TEXT, {"q": "lyon"})) == ["Barn"]
    for bad, code in (("", "invalid_filter"), (" ", "invalid_filter"), ("x" * 201, "too_long")):
        body = gql(TEXT, {"q": bad})
        assert body["data"]["listings"] is None
        assert body["errors"][0]["extensions"]["code"] == code
