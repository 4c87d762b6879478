import graphene


class Query(graphene.ObjectType):
    ping = graphene.String(description="Health check of the GraphQL endpoint.")

    def resolve_ping(root, info):
        return "pong"


schema = graphene.Schema(query=Query)
