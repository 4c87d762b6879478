"""A cheaper way through graphql-core's execution, with the same answers.

graphql-core executes every field the same way: it builds a path and a ResolveInfo, reads the
field's arguments, calls the resolver, checks whether the result is awaitable and dispatches on
the return type before serialising; every object goes through the same chain again. A page of
20 listings with their host, amenities, photos and reviews is ~800 fields and ~260 objects,
~640 of the fields plain attributes (`title`, `city`, `slug` ...): that bookkeeping was the
largest cost of the listings page (profiles in issue #13, docs/speed/graphql.md).

`PlainFieldsExecutionContext` keeps graphql-core's algorithm and cuts its per-field and
per-object overhead where the outcome cannot differ:

- A plain field is answered directly: a field without arguments whose resolver is graphene's
  default (read the attribute, or the key of a dict) and whose type is a scalar or enum, when
  no field middleware is configured and the value read is an ordinary Python value (str, int,
  Decimal, UUID, date ...) that the type serialises without error. Which fields of a selection
  are plain is worked out once per selection and execution, not per object.
- An object of a type without `is_type_of` (and not null, not an error) goes straight to its
  selection: what graphql-core's value completion ends up doing after five type checks.
- The awaitable check answers False at once for the built-in types nothing awaits.

Anything else (null, a value to await, a serialisation error, a custom resolver, a field with
arguments, middleware) takes graphql-core's own path, so errors, nulls and their paths are
reported exactly as before (test_execution.py compares the two executions).
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from asyncio import gather
from functools import partial
from typing import Any

from graphene.types.resolver import attr_resolver, dict_or_attr_resolver, dict_resolver
from graphql import (
    ExecutionContext,
    GraphQLField,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    Undefined,
    get_named_type,
    is_leaf_type,
)
from graphql.execution.execute import get_field_def
from graphql.language import FieldNode
from graphql.pyutils import Path
from graphql.pyutils import is_awaitable as graphql_is_awaitable

DEFAULT_RESOLVERS = (dict_or_attr_resolver, attr_resolver, dict_resolver)
# Values read as they are: a property or a lazy object could need the general path.
PLAIN_VALUES = frozenset((str, int, float, bool, decimal.Decimal, uuid.UUID, dt.date, dt.datetime))
# Exactly these types (not subclasses) have no __await__: nothing to check for them.
NEVER_AWAITED = frozenset((type(None), dict, list, tuple, *PLAIN_VALUES))

# id(field definition) -> (the definition, kept alive; (attname, default, leaf type) or None)
_plain_fields: dict[int, tuple[GraphQLField, tuple | None]] = {}


def plain_field(field_def: GraphQLField) -> tuple | None:
    """(attname, default, leaf type, resolver) when `field_def` is a plain field, else None."""
    known = _plain_fields.get(id(field_def))
    if known is not None and known[0] is field_def:
        return known[1]
    resolve = field_def.resolve
    plain = None
    if (
        isinstance(resolve, partial)
        and resolve.func in DEFAULT_RESOLVERS
        and len(resolve.args) == 2
        and not resolve.keywords
        and not field_def.args
        and is_leaf_type(get_named_type(field_def.type))
    ):
        attname, default = resolve.args
        plain = (attname, default, get_named_type(field_def.type), resolve.func)
    _plain_fields[id(field_def)] = (field_def, plain)
    return plain


def is_awaitable(value: Any) -> bool:
    """graphql-core's check, skipped for the built-in types that are never awaitable."""
    return type(value) not in NEVER_AWAITED and graphql_is_awaitable(value)


async def _gathered(results: dict[str, Any], awaited: list[str]) -> dict[str, Any]:
    results.update(zip(awaited, await gather(*(results[name] for name in awaited)), strict=True))
    return results


class PlainFieldsExecutionContext(ExecutionContext):
    plain_answers = 0  # how many fields took the direct path (for tests)
    is_awaitable = staticmethod(is_awaitable)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # graphene-django passes its MIDDLEWARE setting, an empty list by default, and
        # graphql-core wraps even that in a manager: one without middleware wraps no resolver,
        # so it is no middleware at all (otherwise no field would take the direct path).
        manager = self.middleware_manager
        if manager is not None and not manager.middlewares:
            self.middleware_manager = None
        # id(fields of a selection) -> (those fields, kept alive; their plan): see _plan
        self._plans: dict[int, tuple[dict, list]] = {}

    def _plan(
        self, parent_type: GraphQLObjectType, fields: dict[str, list[FieldNode]]
    ) -> list[tuple[str, list[FieldNode], tuple | None]]:
        """(response name, field nodes, plain_field(...) or None) for each field of a
        selection. graphql-core collects a selection once per execution (collect_subfields
        keeps the same dict for every object of a list), so the plan is made once too."""
        known = self._plans.get(id(fields))
        if known is not None and known[0] is fields:
            return known[1]
        plan = []
        for response_name, field_nodes in fields.items():
            plain = None
            if self.middleware_manager is None:
                field_def = get_field_def(self.schema, parent_type, field_nodes[0])
                plain = plain_field(field_def) if field_def else None
            plan.append((response_name, field_nodes, plain))
        self._plans[id(fields)] = (fields, plan)
        return plan

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        fields: dict[str, list[FieldNode]],
    ) -> Any:
        results: dict[str, Any] = {}
        awaited: list[str] = []
        for response_name, field_nodes, plain in self._plan(parent_type, fields):
            if plain is not None:
                attname, default, leaf_type, resolver = plain
                try:
                    value = resolver(attname, default, source_value, None)
                    if type(value) in PLAIN_VALUES:
                        serialized = leaf_type.serialize(value)
                        if serialized is not None and serialized is not Undefined:
                            self.plain_answers += 1
                            results[response_name] = serialized
                            continue
                except Exception:  # noqa: BLE001, S110 - the general path reports it
                    pass
            field_path = Path(path, response_name, parent_type.name)
            result = self.execute_field(parent_type, source_value, field_nodes, field_path)
            if result is not Undefined:
                results[response_name] = result
                if is_awaitable(result):
                    awaited.append(response_name)
        if awaited:  # as graphql-core (no resolver of this API is async)
            return _gathered(results, awaited)
        return results

    def complete_value(
        self,
        return_type: GraphQLOutputType,
        field_nodes: list[FieldNode],
        info: GraphQLResolveInfo,
        path: Path,
        result: Any,
    ) -> Any:
        object_type = (
            return_type.of_type if isinstance(return_type, GraphQLNonNull) else return_type
        )
        if (
            isinstance(object_type, GraphQLObjectType)
            and object_type.is_type_of is None
            and result is not None
            and result is not Undefined
            and not isinstance(result, Exception)
        ):
            # What complete_value -> complete_object_value reach for such an object; the
            # result is a dict (or an awaitable of one), never null.
            subfields = self.collect_subfields(object_type, field_nodes)
            return self.execute_fields(object_type, result, path, subfields)
        return super().complete_value(return_type, field_nodes, info, path, result)
