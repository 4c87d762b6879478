"""GraphQL conformance: every query and mutation, found by introspecting the schema, refuses
bad input with a clean error (never a 5xx, never an internal error), and the endpoint speaks
GraphQL over HTTP (GET for queries only, POST with JSON, content types and status codes as
the GraphQL-over-HTTP spec says)."""

import itertools
import json
import uuid

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    get_named_type,
)

from public_api.graphql.schema import schema
from tests.factories import ListingFactory

from .conftest import URL, bearer

pytestmark = pytest.mark.django_db

GRAPHQL_SCHEMA = schema.graphql_schema


def root_fields():
    for root in (GRAPHQL_SCHEMA.query_type, GRAPHQL_SCHEMA.mutation_type):
        for name, field in root.fields.items():
            yield root is GRAPHQL_SCHEMA.mutation_type, name, field


# Values of the right GraphQL type that a resolver or the core must refuse (or find nothing for).
ODD_SCALARS = {
    "String": ["", "x" * 20_000, "\x00", "  ", "\ud800", "é" * 300],
    "ID": ["", "x" * 300],
    "Int": [-1, 0, 2**31 - 1, -(2**31)],
    "Float": [-1.0, 0.0, 1e308],
    "Boolean": [True, False],
    "UUID": [str(uuid.UUID(int=0)), str(uuid.uuid4())],
    "Date": ["0001-01-01", "9999-12-31", "2020-02-29"],
    "DateTime": ["0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59+00:00"],
    "Decimal": ["-1", "0", "999999999999", "0.001"],
    "Money": ["-1", "0", "99999999999", "0.005"],
}
# Values of the wrong type: refused while coercing variables (HTTP 400), before any resolver.
WRONG = {
    "String": [{"a": 1}, ["x"], 12],
    "ID": [{"a": 1}],
    "Int": ["1", 1.5, 2**40],
    "Float": ["x", {"a": 1}],
    "Boolean": ["true", 1],
    "UUID": ["not-a-uuid", 12, "g" * 36],
    "Date": ["2030-13-45", "tomorrow", 20300101],
    "DateTime": ["yesterday", 5],
    "Decimal": ["NaN", "1e400", "x", True],
    "Money": ["Infinity", "1e30", "", False],
    "Upload": ["c2VhLmpwZw==", {"name": "x.jpg"}],
}


def _type_name(graphql_type) -> str:
    named = get_named_type(graphql_type)
    return named.name


def odd_values(graphql_type, depth=0):
    """Type-correct values that are nonsense for the API."""
    if isinstance(graphql_type, GraphQLNonNull):
        yield from odd_values(graphql_type.of_type, depth)
        return
    if isinstance(graphql_type, GraphQLList):
        yield []
        for value in itertools.islice(odd_values(graphql_type.of_type, depth), 2):
            yield [value] * 60
        return
    if isinstance(graphql_type, GraphQLEnumType):
        yield from list(graphql_type.values)[:2]
        return
    if isinstance(graphql_type, GraphQLInputObjectType):
        if depth > 2:
            return
        fields = graphql_type.fields
        required = {n: f for n, f in fields.items() if isinstance(f.type, GraphQLNonNull)}
        base = {n: next(odd_values(f.type, depth + 1), None) for n, f in required.items()}
        yield base
        for name, field in fields.items():
            for value in itertools.islice(odd_values(field.type, depth + 1), 4):
                yield {**base, name: value}
        return
    if isinstance(graphql_type, GraphQLScalarType):
        yield from ODD_SCALARS.get(graphql_type.name, [])


def wrong_values(graphql_type, depth=0):
    if isinstance(graphql_type, GraphQLNonNull):
        yield None
        yield from wrong_values(graphql_type.of_type, depth)
        return
    if isinstance(graphql_type, GraphQLList):
        for value in itertools.islice(wrong_values(graphql_type.of_type, depth), 2):
            if value is not None:
                yield [value]
        return
    if isinstance(graphql_type, GraphQLEnumType):
        yield "NOT_A_VALUE"
        yield 3
        return
    if isinstance(graphql_type, GraphQLInputObjectType):
        yield "not an object"
        yield {"unknownField": 1}
        if depth > 2:
            return
        fields = graphql_type.fields
        required = {n: f for n, f in fields.items() if isinstance(f.type, GraphQLNonNull)}
        base = {n: next(odd_values(f.type, depth + 1), None) for n, f in required.items()}
        if required:
            yield {}
        for name, field in fields.items():
            for value in itertools.islice(wrong_values(field.type, depth + 1), 3):
                yield {**base, name: value}
        return
    if isinstance(graphql_type, GraphQLScalarType):
        yield from WRONG.get(graphql_type.name, [])


def document(is_mutation: bool, name: str, field) -> str:
    params = ", ".join(f"${arg}: {arg_def.type}" for arg, arg_def in field.args.items())
    args = ", ".join(f"{arg}: ${arg}" for arg in field.args)
    named = get_named_type(field.type)
    selection = "" if isinstance(named, GraphQLScalarType | GraphQLEnumType) else " { __typename }"
    keyword = "mutation" if is_mutation else "query"
    head = f"{keyword} Probe({params})" if params else f"{keyword} Probe"
    call = f"{name}({args})" if args else name
    return f"{head} {{ {call}{selection} }}"


def base_variables(field) -> dict:
    variables = {}
    for arg, arg_def in field.args.items():
        if isinstance(arg_def.type, GraphQLNonNull):
            variables[arg] = next(odd_values(arg_def.type), None)
    return variables


def cases():
    for is_mutation, name, field in root_fields():
        doc = document(is_mutation, name, field)
        base = base_variables(field)
        if any(isinstance(a.type, GraphQLNonNull) for a in field.args.values()):
            yield name, doc, {}, "wrong"
        yield name, doc, base, "odd"
        for arg, arg_def in field.args.items():
            for value in itertools.islice(odd_values(arg_def.type), 12):
                yield name, doc, {**base, arg: value}, "odd"
            for value in itertools.islice(wrong_values(arg_def.type), 12):
                yield name, doc, {**base, arg: value}, "wrong"


def test_every_operation_refuses_bad_input_cleanly(client, host):
    ListingFactory(host=host)
    failures = []
    count = 0
    for name, doc, variables, kind in cases():
        # Variables are coerced before anything runs: who asks matters only for the odd ones.
        for headers in ({}, bearer(host)) if kind == "odd" else ({},):
            count += 1
            body = json.dumps({"query": doc, "variables": variables})
            response = client.post(URL, body, content_type="application/json", **headers)
            problem = _problem(response, kind)
            if problem:
                failures.append(f"{name} {kind} {variables!r:.200}: {problem}")
    assert count > 1400  # 54 operations, each argument and input field in several ways
    assert failures == [], "\n".join(failures[:40])


def _problem(response, kind) -> str | None:
    if response.status_code >= 500:
        return f"HTTP {response.status_code}"
    if response["Content-Type"] != "application/json":
        return f"Content-Type {response['Content-Type']}"
    body = response.json()
    errors = body.get("errors", [])
    if any(not e.get("message") for e in errors):
        return f"an error without a message: {errors}"
    if any(e.get("extensions", {}).get("code") == "internal_error" for e in errors):
        return f"internal error: {errors}"
    if kind == "wrong" and (response.status_code != 400 or "data" in body):
        return f"a wrongly typed variable answered {response.status_code}: {body!r:.300}"
    for payload in (body.get("data") or {}).values():
        if isinstance(payload, dict) and payload.get("errors"):
            for error in payload["errors"]:
                if not error.get("code") or not error.get("message"):
                    return f"a payload error without code or message: {error}"
    return None


# --- GraphQL over HTTP -------------------------------------------------------------------------

ME = "{ me { id } }"
GRAPHQL_RESPONSE = "application/graphql-response+json"


def test_get_runs_queries_and_refuses_mutations(client, host):
    ok = client.get(URL, {"query": ME}, **bearer(host))
    assert (ok.status_code, ok["Content-Type"]) == (200, "application/json")
    assert ok.json() == {"data": {"me": {"id": str(host.pk)}}}
    with_variables = client.get(
        URL,
        {"query": "query($id: UUID!) { listing(id: $id) { id } }",
         "variables": json.dumps({"id": str(uuid.uuid4())})},
    )  # fmt: skip
    assert with_variables.status_code == 200
    mutation = client.get(URL, {"query": 'mutation { logout(input: {refresh: "x"}) { ok } }'})
    assert mutation.status_code == 405
    assert "POST" in mutation["Allow"]
    assert mutation.json()["errors"][0]["message"]
    for method in ("put", "patch", "delete"):
        response = getattr(client, method)(URL, json.dumps({"query": ME}), "application/json")
        assert response.status_code == 405, method
        assert response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("not json", "invalid JSON"),
        ("[]", "not a valid JSON query"),
        (json.dumps([{"query": ME}]), "not a valid JSON query"),
        (json.dumps({"variables": {}}), "Must provide query string"),
        (json.dumps({"query": 5}), "must be a string"),
        (json.dumps({"query": ME, "variables": "x"}), "Variables are invalid JSON"),
        (json.dumps({"query": ME, "variables": [1]}), "must be a JSON object"),
        (json.dumps({"query": ME, "operationName": 5}), "operationName"),
        (json.dumps({"query": ME, "extensions": "x"}), "extensions"),
        (json.dumps({"query": "{ me { id }"}), "Syntax Error"),
        (json.dumps({"query": "{ nope }"}), "Cannot query field"),
        (json.dumps({"query": "query A { me { id } } query B { me { id } }"}), "operation name"),
    ],
)
def test_malformed_requests_are_400_with_a_message(client, body, message):
    for accept in ("application/json", GRAPHQL_RESPONSE):
        response = client.post(URL, body, content_type="application/json", HTTP_ACCEPT=accept)
        assert response.status_code == 400, (accept, response.content)
        errors = response.json()["errors"]
        assert message.lower() in errors[0]["message"].lower(), errors
        assert "data" not in response.json()


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "", "image/png"])
def test_unsupported_request_bodies_are_415(client, content_type):
    response = client.generic("POST", URL, json.dumps({"query": ME}), content_type=content_type)
    assert response.status_code == 415, response.content
    assert response["Content-Type"] == "application/json"
    assert "application/json" in response.json()["errors"][0]["message"]


def test_supported_request_bodies(client, host):
    as_json = client.post(
        URL, json.dumps({"query": ME}), content_type="application/json; charset=utf-8",
        **bearer(host),
    )  # fmt: skip
    as_graphql = client.post(URL, ME, content_type="application/graphql", **bearer(host))
    as_form = client.post(URL, {"query": ME}, **bearer(host))  # multipart needs `operations`
    assert as_json.json() == as_graphql.json() == {"data": {"me": {"id": str(host.pk)}}}
    assert as_form.status_code == 400
    assert "operations" in as_form.json()["errors"][0]["message"]


def test_the_graphql_response_media_type_is_negotiated(client, host):
    """application/graphql-response+json when the client asks for it: 200 when execution
    started (resolver errors sit beside data), 4xx when the request was refused."""
    ok = client.post(
        URL, json.dumps({"query": ME}), content_type="application/json",
        HTTP_ACCEPT=f"{GRAPHQL_RESPONSE}, application/json;q=0.9", **bearer(host),
    )  # fmt: skip
    assert (ok.status_code, ok["Content-Type"]) == (200, GRAPHQL_RESPONSE)
    resolver_error = client.post(
        URL, json.dumps({"query": ME}), "application/json", HTTP_ACCEPT=GRAPHQL_RESPONSE
    )
    assert (resolver_error.status_code, resolver_error["Content-Type"]) == (200, GRAPHQL_RESPONSE)
    assert resolver_error.json()["data"] == {"me": None}
    refused = client.post(
        URL, json.dumps({"query": "{ me { id"}), content_type="application/json",
        HTTP_ACCEPT=GRAPHQL_RESPONSE,
    )  # fmt: skip
    assert (refused.status_code, refused["Content-Type"]) == (400, GRAPHQL_RESPONSE)
    for accept in ("application/json", "*/*", "", f"application/json, {GRAPHQL_RESPONSE};q=0.5"):
        plain = client.post(URL, json.dumps({"query": ME}), "application/json", HTTP_ACCEPT=accept)
        assert plain["Content-Type"] == "application/json", accept
