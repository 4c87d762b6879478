import graphene


class User(graphene.ObjectType):
    """The signed-in user's own profile (the only place email and phone appear)."""

    id = graphene.UUID(required=True)
    email = graphene.String(required=True)
    first_name = graphene.String(required=True)
    last_name = graphene.String(required=True)
    phone = graphene.String(required=True)
    bio = graphene.String(required=True)
    is_host = graphene.Boolean(required=True)
    date_joined = graphene.DateTime(required=True)


class Host(graphene.ObjectType):
    """A listing's host as the public sees them: no email, no phone."""

    id = graphene.UUID(required=True)
    first_name = graphene.String(required=True)


class ReviewAuthor(graphene.ObjectType):
    """A review's author: first name only."""

    first_name = graphene.String(required=True)
