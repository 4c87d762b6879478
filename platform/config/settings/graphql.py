"""Settings of the GraphQL API under /graphql/ (graphene-django).

The limits are enforced before execution (public_api.graphql.limits); all come from the
environment so an operator can tune them without a release.
"""

import environ

_env = environ.Env()

GRAPHENE = {
    "SCHEMA": "public_api.graphql.schema.schema",
}

# Introspection (schema discovery, GraphiQL) is on by default; set GRAPHQL_INTROSPECTION=false in
# production to stop publishing the schema to anyone who asks.
GRAPHQL_INTROSPECTION = _env.bool("GRAPHQL_INTROSPECTION", default=True)
# GraphiQL (the in-browser IDE at /graphql/, files served from static/vendor/graphiql): on when
# DEBUG is, or set GRAPHIQL explicitly.
GRAPHIQL = _env.bool("GRAPHIQL", default=_env.bool("DEBUG", default=False))
GRAPHQL_MAX_DEPTH = _env.int("GRAPHQL_MAX_DEPTH", default=10)
# Estimated number of objects a query resolves: each field counts 1, times the page size of the
# connections (and a fixed estimate for plain lists) it is nested in.
GRAPHQL_MAX_COST = _env.int("GRAPHQL_MAX_COST", default=10_000)
GRAPHQL_DEFAULT_PAGE_SIZE = _env.int("GRAPHQL_DEFAULT_PAGE_SIZE", default=20)
GRAPHQL_MAX_PAGE_SIZE = _env.int("GRAPHQL_MAX_PAGE_SIZE", default=100)
# Larger documents are refused before parsing (a cheap guard against parser abuse).
GRAPHQL_MAX_QUERY_LENGTH = _env.int("GRAPHQL_MAX_QUERY_LENGTH", default=20_000)
