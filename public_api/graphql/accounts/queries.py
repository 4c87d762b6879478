import graphene

from ..context import require_user
from ..errors import refusals_as_errors
from .types import User


class AccountQueries(graphene.ObjectType):
    me = graphene.Field(User, description="The signed-in user (needs a bearer token).")

    @refusals_as_errors
    def resolve_me(root, info):
        return require_user(info)
