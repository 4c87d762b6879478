"""Settings of the public API (REST under /api/v1/, GraphQL under /graphql/)."""

import environ

env = environ.Env()

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

GRAPHENE = {
    "SCHEMA": "public_api.graphql.schema.schema",
}
