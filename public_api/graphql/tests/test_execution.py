"""Plain fields answered directly (execution.py): the same answers as graphql-core's own path."""

import graphene
import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from graphql import ExecutionContext, execute, parse

from public_api.graphql.execution import PlainFieldsExecutionContext, object_field, plain_field
from public_api.graphql.schema import schema
from public_api.graphql.views import StayBookGraphQLView
from reviews.models import Review
from tests.factories import AmenityFactory, ListingFactory, ReviewFactory, make_completed_stay

PAGE = """
query Page($first: Int) {
  listings(first: $first) {
    edges { cursor node {
      id title city country propertyType status nightlyPrice weekendPrice currency maxGuests
      bedrooms beds bathrooms latitude longitude rating reviewCount instantBook photo saved
      distanceKm cancellationPolicy weeklyDiscount
      host { id firstName }
      amenities { slug name icon }
      photos { url caption position }
      reviews(first: 5) { edges { node { rating comment author { firstName } } }
                          pageInfo { hasNextPage endCursor } }
    } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""


class Recording(PlainFieldsExecutionContext):
    contexts: list = []

    def execute_operation(self, operation, root_value):
        Recording.contexts.append(self)
        return super().execute_operation(operation, root_value)


def run(graphql_schema, query, context_class, variables=None, context=None):
    return execute(
        graphql_schema,
        parse(query),
        context_value=context,
        variable_values=variables,
        execution_context_class=context_class,
    )


def test_the_endpoint_executes_with_the_plain_fields_context():
    assert StayBookGraphQLView.execution_context_class is PlainFieldsExecutionContext
    assert issubclass(StayBookGraphQLView().execution_context_class, PlainFieldsExecutionContext)


def test_only_plain_fields_take_the_direct_path():
    listing = schema.graphql_schema.get_type("Listing").fields
    assert plain_field(listing["title"])[:2] == ("title", None)
    assert plain_field(listing["maxGuests"])[0] == "max_guests"
    assert plain_field(listing["rating"]) is None  # its own resolver (rating_average)
    assert plain_field(listing["host"]) is None  # an object
    assert plain_field(listing["amenities"]) is None  # a list
    assert plain_field(listing["reviews"]) is None  # arguments and a resolver
    # Objects read by the default resolver go straight to their selection: host, not amenities.
    assert object_field(listing["host"])[0] == "host"
    assert object_field(listing["amenities"]) is None  # a list, and its own resolver
    assert object_field(listing["reviews"]) is None
    assert object_field(listing["title"]) is None


@pytest.mark.django_db
def test_a_listings_page_is_answered_exactly_as_graphql_core_answers_it():
    reviewed = ListingFactory(city="Lisbon")
    reviewed.amenities.set([AmenityFactory(slug="wifi", name="Wi-Fi")])
    ReviewFactory(
        booking=make_completed_stay(listing=reviewed),
        comment="Quiet street.",
        status=Review.Status.PUBLISHED,
    )
    ListingFactory(city="Porto", weekend_price=None)  # nulls, no photo, no reviews
    request = RequestFactory().post("/graphql/")
    request.user = AnonymousUser()
    graphql_schema = schema.graphql_schema
    variables = {"first": 10}

    Recording.contexts = []
    fast = run(graphql_schema, PAGE, Recording, variables, request)
    slow = run(graphql_schema, PAGE, ExecutionContext, variables, request)

    assert fast.errors is None and slow.errors is None
    assert fast.data == slow.data
    nodes = {edge["node"]["id"]: edge["node"] for edge in fast.data["listings"]["edges"]}
    assert len(nodes) == 2
    reviews = nodes[str(reviewed.pk)]["reviews"]["edges"]
    assert [edge["node"]["comment"] for edge in reviews] == ["Quiet street."]
    # Most of the page's fields are plain: title, city, slug, firstName, comment ...
    assert Recording.contexts[0].plain_answers >= 2 * 15


class Thing(graphene.ObjectType):
    name = graphene.String(required=True)
    nickname = graphene.String()
    count = graphene.Int()
    broken = graphene.String()


class Broken:
    name = "kept"
    nickname = None
    count = "not a number"

    @property
    def broken(self):
        raise RuntimeError("a property that fails")


class Root(graphene.ObjectType):
    thing = graphene.Field(Thing)
    nameless = graphene.Field(Thing)

    def resolve_thing(root, info):
        return Broken()

    def resolve_nameless(root, info):
        return {"name": None}


def test_nulls_and_errors_are_reported_by_graphql_core_exactly_as_before():
    graphql_schema = graphene.Schema(query=Root).graphql_schema
    query = "{ thing { name nickname count broken } nameless { name } }"
    fast = run(graphql_schema, query, PlainFieldsExecutionContext)
    slow = run(graphql_schema, query, ExecutionContext)
    assert (
        fast.data
        == slow.data
        == {
            "thing": {"name": "kept", "nickname": None, "count": None, "broken": None},
            "nameless": None,
        }
    )
    assert [e.formatted for e in fast.errors] == [e.formatted for e in slow.errors]
    assert len(fast.errors) == 3  # count: not an Int; broken: raised; nameless.name: null


@pytest.mark.django_db
def test_the_endpoint_answers_plain_fields_directly(client, monkeypatch):
    """graphene-django hands graphql-core an empty middleware list, which graphql-core wraps
    in a manager: the direct path must still be taken through the view (it was not)."""
    ListingFactory(city="Lisbon")
    Recording.contexts = []
    monkeypatch.setattr(StayBookGraphQLView, "execution_context_class", Recording)

    response = client.post(
        "/graphql/",
        {"query": PAGE, "variables": {"first": 10}},
        content_type="application/json",
    )

    assert response.status_code == 200 and "errors" not in response.json()
    assert Recording.contexts[0].middleware_manager is None
    assert Recording.contexts[0].plain_answers >= 15


def test_field_middleware_still_wraps_every_field():
    calls = []

    def recording_middleware(next_, root, info, **args):
        calls.append(info.field_name)
        return next_(root, info, **args)

    result = execute(
        graphene.Schema(query=Root).graphql_schema,
        parse("{ thing { name nickname } }"),
        middleware=[recording_middleware],
        execution_context_class=PlainFieldsExecutionContext,
    )

    assert result.data == {"thing": {"name": "kept", "nickname": None}}
    assert calls == ["thing", "name", "nickname"]


class Pet(graphene.ObjectType):
    name = graphene.String(required=True)


class Checked(graphene.ObjectType):
    """A type with is_type_of: graphql-core's own completion checks what it is given."""

    name = graphene.String(required=True)

    @classmethod
    def is_type_of(cls, root, info):
        return isinstance(root, Broken)


class AsyncRoot(graphene.ObjectType):
    pet = graphene.Field(Pet)
    pets = graphene.List(graphene.NonNull(Pet))
    checked = graphene.Field(Checked)
    name = graphene.String()
    broken_pet = graphene.Field(Pet)
    later_pets = graphene.List(Pet)

    async def resolve_pet(root, info):
        return {"name": "Rex"}

    async def resolve_broken_pet(root, info):  # awaited, then an error inside it
        return {"name": None}

    def resolve_later_pets(root, info):  # a list of awaited items, one with an error inside
        async def pet(name):
            return {"name": name}

        return [pet("Ada"), pet(None)]

    def resolve_pets(root, info):
        return [{"name": "Ada"}, {"name": None}]

    def resolve_checked(root, info):
        return {"name": "not a Broken"}

    def resolve_name(root, info):
        return "root"


def in_a_loop_of_its_own(execute):
    """`asyncio.run(execute())` on a thread of its own: the suite's browser tests leave
    Playwright's event loop running on the main thread, and asyncio.run refuses to nest."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(execute())).result()


def test_awaited_lists_and_checked_objects_answer_as_graphql_core():
    graphql_schema = graphene.Schema(query=AsyncRoot).graphql_schema
    query = (
        "{ name pet { name } pets { name } checked { name } brokenPet { name } laterPets { name } }"
    )

    fast = in_a_loop_of_its_own(lambda: run(graphql_schema, query, PlainFieldsExecutionContext))
    slow = in_a_loop_of_its_own(lambda: run(graphql_schema, query, ExecutionContext))

    assert (
        fast.data
        == slow.data
        == {
            "name": "root",
            "pet": {"name": "Rex"},
            "pets": None,
            "checked": None,
            "brokenPet": None,
            "laterPets": [{"name": "Ada"}, None],
        }
    )
    assert [e.formatted for e in fast.errors] == [e.formatted for e in slow.errors]
    # pets[1].name: null; checked: not a Checked; brokenPet.name and laterPets[1].name: null
    assert [e.path for e in fast.errors] == [
        ["pets", 1, "name"],
        ["checked"],
        ["brokenPet", "name"],
        ["laterPets", 1, "name"],
    ]


class Leaf(graphene.ObjectType):
    name = graphene.String(required=True)
    loud = graphene.Boolean()
    size = graphene.Int()
    shout = graphene.String(required=True)
    tagged = graphene.String(tags=graphene.List(graphene.String), prefix=graphene.String())

    def resolve_shout(leaf, info):  # a resolver's leaf value: serialised, or an error
        return leaf.get("shout")

    def resolve_tagged(leaf, info, tags=None, prefix=""):
        if tags is not None:
            tags.append("seen")  # a list argument changed: the next object must not see it
        return f"{prefix}{tags}"


class Branch(graphene.ObjectType):
    leaf = graphene.Field(Leaf)
    sure_leaf = graphene.Field(graphene.NonNull(Leaf))
    leaves = graphene.List(Leaf)
    sure_leaves = graphene.List(graphene.NonNull(Leaf))


class Tree(graphene.ObjectType):
    branches = graphene.List(Branch)
    sure_branches = graphene.NonNull(graphene.List(graphene.NonNull(Branch)))

    def resolve_branches(root, info):
        return BRANCHES

    def resolve_sure_branches(root, info):
        return BRANCHES[:1]


class Knotty:
    """A source whose attribute read fails."""

    @property
    def leaf(self):
        raise RuntimeError("a property that fails")

    sure_leaf = leaves = sure_leaves = None


BRANCHES = [
    {  # every object and list present: the direct paths
        "leaf": {"name": "a", "loud": True, "size": 3, "shout": "A"},
        "sure_leaf": {"name": "b", "loud": False, "size": 2**40, "shout": "B"},
        "leaves": [
            {"name": "c", "shout": "C"},
            {"name": "c2", "shout": "C2"},
            None,
            {"name": None, "shout": "D"},
        ],
        "sure_leaves": [{"name": "e", "shout": "E"}, {"name": "f", "shout": None}],
    },
    {  # nulls where an object, a non-null object or a list is expected
        "leaf": None,
        "sure_leaf": None,
        "leaves": None,
        "sure_leaves": [None],
    },
    {  # errors as values, a non-list where a list is expected, a missing key
        "leaf": ValueError("an error as a value"),
        "sure_leaf": {"name": "g", "shout": 12},
        "leaves": "not a list",
    },
    {  # an error under a non-null object: its branch is null
        "leaf": {"name": "h", "shout": "H"},
        "sure_leaf": {"name": None, "shout": "I"},
    },
    Knotty(),
]

TREE = """
query($tags: [String]) {
  branches {
    leaf { name loud size shout tagged(tags: $tags, prefix: "x") }
    sureLeaf { name loud size shout }
    leaves { name shout tagged(tags: ["one"]) }
    sureLeaves { name shout }
  }
  sureBranches { sureLeaf { name } leaves { name } }
}
"""


def test_objects_lists_leaves_and_arguments_answer_as_graphql_core():
    """Nulls, errors and their paths where the direct paths of objects, lists of objects,
    resolvers' leaves and shared arguments are taken, or must not be."""
    graphql_schema = graphene.Schema(query=Tree).graphql_schema

    for variables in ({"tags": ["t"]}, {}):
        fast = run(graphql_schema, TREE, PlainFieldsExecutionContext, variables)
        slow = run(graphql_schema, TREE, ExecutionContext, variables)

        assert fast.data == slow.data
        assert [e.formatted for e in fast.errors] == [e.formatted for e in slow.errors]
    assert fast.data["sureBranches"][0]["sureLeaf"] == {"name": "b"}
    assert [leaf and leaf["tagged"] for leaf in fast.data["branches"][0]["leaves"]] == [
        "['one', 'seen']",
        "['one', 'seen']",
        None,
        None,
    ]
    assert fast.data["branches"][0]["leaves"][0] == {
        "name": "c",
        "shout": "C",
        "tagged": "['one', 'seen']",
    }
    assert len(fast.errors) >= 8


def test_awaited_values_of_direct_objects_answer_as_graphql_core():
    class Later(graphene.ObjectType):
        name = graphene.String(required=True)

        async def resolve_name(later, info):
            if later["name"] is None:
                raise RuntimeError("no name")
            return later["name"]

    class Holder(graphene.ObjectType):
        later = graphene.Field(graphene.NonNull(Later))
        laters = graphene.List(Later)

    class Query(graphene.ObjectType):
        holders = graphene.List(Holder)

        def resolve_holders(root, info):
            return [
                {"later": {"name": "a"}, "laters": [{"name": "b"}, {"name": None}]},
                {"later": {"name": None}, "laters": []},
            ]

    graphql_schema = graphene.Schema(query=Query).graphql_schema
    query = "{ holders { later { name } laters { name } } }"

    fast = in_a_loop_of_its_own(lambda: run(graphql_schema, query, PlainFieldsExecutionContext))
    slow = in_a_loop_of_its_own(lambda: run(graphql_schema, query, ExecutionContext))

    assert fast.data == slow.data
    assert fast.data["holders"][0] == {"later": {"name": "a"}, "laters": [{"name": "b"}, None]}
    assert [e.formatted for e in fast.errors] == [e.formatted for e in slow.errors]
    assert len(fast.errors) == 2
