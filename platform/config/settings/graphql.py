"""Settings of the GraphQL API under /graphql/ (graphene-django)."""

GRAPHENE = {
    "SCHEMA": "public_api.graphql.schema.schema",
}
