"""Limits refused before execution, malformed input answered clearly, never a server error."""

import base64
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import ListingFactory

pytestmark = pytest.mark.django_db

NESTED = """
query($first: Int) { listings(first: $first) { edges { node {
  id title nightlyPrice host { firstName } amenities { slug name }
  reviews(first: 5) { edges { node { rating comment } } }
} } } }
"""


def refused(gql, query, variables=None, *, status=400):
    """Post, assert it was refused before running (no SQL at all), return the messages."""
    with CaptureQueriesContext(connection) as queries:
        response = gql.post(query, variables)
    assert response.status_code == status, response.content
    body = response.json()
    assert body.get("data") is None
    assert len(queries) == 0, [q["sql"] for q in queries]
    return [error["message"] for error in body["errors"]]


def test_a_page_of_100_with_nested_reviews_is_within_the_cost_budget(gql):
    ListingFactory()
    assert len(gql.data(NESTED, {"first": 100})["listings"]["edges"]) == 1


@pytest.mark.parametrize(
    "query",
    [
        "{ listings(first: 101) { edges { node { id } } } }",
        "query($n: Int) { listings(first: $n) { edges { node { id } } } }",
        "{ listing(id: $id) { reviews(first: 500) { pageInfo { hasNextPage } } } }",
    ],
)
def test_pages_above_100_are_refused(gql, query):
    if "$id" in query:
        query = "query($id: UUID!) " + query
    messages = refused(gql, query, {"n": 1000, "id": "00000000-0000-0000-0000-000000000000"})
    assert messages == ["`first` may be at most 100."]


def test_depth_limit(gql, settings):
    settings.GRAPHQL_MAX_DEPTH = 3
    assert refused(gql, "{ listings { edges { node { host { firstName } } } } }") == [
        "The query is nested 4 levels deep; the maximum is 3."
    ]
    assert gql("{ listings { edges { node { id } } } }")["data"]["listings"]["edges"] == []


def test_depth_counts_through_fragments(gql, settings):
    settings.GRAPHQL_MAX_DEPTH = 3
    query = "fragment N on Listing { host { firstName } } { listings { edges { node { ...N } } } }"
    assert refused(gql, query) == ["The query is nested 4 levels deep; the maximum is 3."]


def test_the_default_depth_limit_is_10_and_the_deepest_real_query_fits(gql, settings):
    assert settings.GRAPHQL_MAX_DEPTH == 10
    deepest = (
        "{ myBookings(first: 1) { edges { node { listing { reviews(first: 1) { edges { node {"
        " author { firstName } } } } } } } } }"
    )
    body = gql(deepest)  # 8 levels: it runs (and says a token is needed)
    assert body["errors"][0]["extensions"]["code"] == "not_authenticated"


def test_expensive_queries_are_refused(gql):
    query = (
        "{ listings(first: 100) { edges { node { id reviews(first: 100) { edges { node {"
        " rating comment author { firstName } } } } } } } }"
    )
    messages = refused(gql, query)
    assert messages[0].startswith("The query is too expensive (estimated cost")


def test_aliases_add_up_in_the_cost(gql):
    one = "listings(first: 100) { edges { node { id title host { firstName } } } }"
    assert "errors" not in gql("{ " + one + " }")
    wide = " ".join(f"l{i}: {one}" for i in range(20))
    assert refused(gql, "{ " + wide + " }")[0].startswith("The query is too expensive")


def test_introspection_is_on_by_default_and_off_by_setting(gql, settings):
    assert gql.data("{ __schema { queryType { name } } }")["__schema"]["queryType"]["name"] == (
        "Query"
    )
    settings.GRAPHQL_INTROSPECTION = False
    assert refused(gql, "{ __schema { queryType { name } } }") == [
        "Cannot query '__schema': introspection is disabled."
    ]


@pytest.mark.parametrize(
    ("query", "variables", "fragment"),
    [
        ("query($id: UUID!) { listing(id: $id) { id } }", {"id": "not-a-uuid"}, "UUID"),
        ('{ listing(id: "123") { id } }', None, "UUID"),
        (
            "query($d: Date) { listings(checkIn: $d, checkOut: $d) { edges { cursor } } }",
            {"d": "2030-02-30"},
            "Date",
        ),
        ("query($g: Int) { listings(guests: $g) { edges { cursor } } }", {"g": "two"}, "Int"),
        ("query($g: Int) { listings(guests: $g) { edges { cursor } } }", {"g": 2**40}, "Int"),
        ("query($p: Money) { listings(minPrice: $p) { edges { cursor } } }", {"p": "NaN"}, "range"),
        (
            "query($p: Money) { listings(minPrice: $p) { edges { cursor } } }",
            {"p": "1e999"},
            "range",
        ),
        (
            "query($p: Money) { listings(minPrice: $p) { edges { cursor } } }",
            {"p": "abc"},
            "number",
        ),
        ("{ listings(orderBy: cheapest) { edges { cursor } } }", None, "ListingOrderBy"),
        ("{ listings(after: 5) { edges { cursor } } }", None, "String"),
        ("{ listings { edges { ...Missing } } }", None, "Unknown fragment"),
        ('fragment A on Listing { ...A } { listing(id: "x") { ...A } }', None, "A"),
        ("{ nope }", None, "Cannot query field"),
        ("{ listings(", None, "Syntax Error"),
    ],
)
def test_malformed_input_is_a_clear_400(gql, query, variables, fragment):
    messages = refused(gql, query, variables)
    assert any(fragment in message for message in messages), messages


@pytest.mark.parametrize(
    "text",
    # Not ours; then offsets int() would accept but encode_cursor never writes (non-ASCII digits).
    ["nope", "offset:\u0663", "offset:\uff13", "offset: 3", "offset:3_0", "offset:-1"],
)
def test_a_bad_cursor_is_a_clear_error(gql, text):
    ListingFactory.create_batch(2)
    cursor = base64.urlsafe_b64encode(text.encode()).decode()
    body = gql("query($a: String) { listings(after: $a) { edges { cursor } } }", {"a": cursor})
    assert body["data"]["listings"] is None
    assert body["errors"][0]["message"] == "Invalid cursor: pass an endCursor this API returned."


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("{not json", "POST body sent invalid JSON."),
        ("[]", "The received data is not a valid JSON query."),
        ('{"query": 42}', "The query must be a string."),
        ('{"query": "{ me { id } }", "variables": [1]}', "`variables` must be a JSON object."),
        ('{"variables": {}}', "Must provide query string."),
        (json.dumps({"query": "{ me { id } }" + " " * 30_000}), "longer than"),
    ],
)
def test_malformed_bodies_are_a_400(gql, raw, message):
    response = gql.post(None, raw=raw)
    assert response.status_code == 400
    assert message in response.json()["errors"][0]["message"]


def test_mutations_are_refused_over_get(client):
    response = client.get(
        "/graphql/",
        {"query": 'mutation { register(input: {email: "a", password: "b"}) { errors { code } } }'},
    )
    assert response.status_code == 405


def test_an_unexpected_failure_is_masked_not_leaked(gql, monkeypatch, caplog):
    from public_api.graphql.listings import queries

    def broken(*args):
        raise RuntimeError("relation secret_table does not exist")

    monkeypatch.setattr(queries, "listing_visible_cached", broken)
    body = gql('{ listing(id: "00000000-0000-0000-0000-000000000000") { id } }')

    assert body["data"]["listing"] is None
    assert body["errors"][0]["message"] == "Internal server error."
    assert body["errors"][0]["extensions"] == {"code": "internal_error"}
    assert "secret_table" in caplog.text  # logged for operators, not sent to the client


def test_fragment_chains_are_measured_once_per_fragment(gql, monkeypatch):
    """Each fragment spreads the next twice: 2^22 spreads, but only ~22 fragments to measure.
    Walking every spread would let one small anonymous query occupy a worker for minutes."""
    from public_api.graphql import limits

    walks = []
    original = limits._Measure.selections

    def counting(self, *args, **kwargs):
        walks.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(limits._Measure, "selections", counting)
    levels = 22
    fragments = " ".join(
        f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)
    )
    leaf = f"fragment F{levels} on Query {{ listings {{ edges {{ node {{ id }} }} }} }}"
    query = f"{{ ...F0 }} {fragments} {leaf}"
    messages = refused(gql, query)
    assert any("expensive" in m for m in messages), messages
    assert len(walks) < 200


# --- the document cache (parse + the specification's rules, per query text) -------------------


def test_a_repeated_query_is_parsed_and_validated_once_and_its_limits_still_apply(gql, settings):
    from public_api.graphql.views import _checked_document

    ListingFactory()
    query = NESTED + " "  # a text no other test sent
    before = _checked_document.cache_info()
    assert len(gql.data(query, {"first": 5})["listings"]["edges"]) == 1
    assert len(gql.data(query, {"first": 10})["listings"]["edges"]) == 1
    after = _checked_document.cache_info()
    assert (after.misses - before.misses, after.hits - before.hits) == (1, 1)
    # The limits depend on the variables and the settings: checked on every request.
    assert refused(gql, query, {"first": 101}) == ["`first` may be at most 100."]
    settings.GRAPHQL_MAX_DEPTH = 2
    assert "levels deep" in refused(gql, query, {"first": 5})[0]


def test_a_cached_invalid_document_is_refused_every_time(gql, settings):
    query = "{ listings { edges { node { nope } } } }"
    for _ in range(2):
        messages = refused(gql, query)
        assert messages == ["Cannot query field 'nope' on type 'Listing'."]
    # Introspection turned off is part of the cached verdict's key, not a stale answer.
    introspection = "{ __schema { queryType { name } } }"
    assert gql.data(introspection)["__schema"]["queryType"]["name"] == "Query"
    settings.GRAPHQL_INTROSPECTION = False
    assert refused(gql, introspection)


LIMIT_CASES = [
    ("{ listings(first: 20) { edges { node { title reviews(first: 5) { edges { node { rating"
     " } } } } } } }", None),
    ("query($n: Int) { listings(first: $n) { edges { node { title } } } }", {"n": 101}),
    ("{ listings(first: 100) { edges { node { reviews(first: 100) { edges { node { author {"
     " firstName } } } } } } } }", None),
    ("query A { listings(first: 500) { edges { cursor } } } "
     "query B { me { bookings: firstName } }", None),
    ("{ " + " ".join(f"a{i}: listings(first: 1000) {{ edges {{ cursor }} }}" for i in range(120))
     + " }", None),
    ("fragment F on Listing { host { id } } { listings { edges { node { ...F } } } }", None),
]  # fmt: skip


@pytest.mark.parametrize(("query", "variables"), LIMIT_CASES)
def test_the_limits_rule_alone_reports_what_validate_reports(query, variables):
    from graphql import parse, validate

    from public_api.graphql.schema import schema
    from public_api.graphql.views import StayBookGraphQLView, limit_errors

    graphql_schema = schema.graphql_schema
    document = parse(query)
    rule = StayBookGraphQLView.limits_for(variables)

    direct = limit_errors(graphql_schema, document, rule)
    walked = validate(graphql_schema, document, [rule])

    assert [e.formatted for e in direct] == [e.formatted for e in walked]
    assert [type(e) for e in direct] == [type(e) for e in walked]
