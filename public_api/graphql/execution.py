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
- A plain field's value is read inline (graphene's default resolvers are `getattr` or
  `dict.get`), and a String of a `str` or a Boolean of a `bool` is its own serialisation.
- A field read by a default resolver without arguments whose type is an object (`node`,
  `host`, `pageInfo`, `author` ...) goes straight to that object's selection with the value
  read, as execute_field -> complete_value would.
- An object of a type without `is_type_of` (and not null, not an error) goes straight to its
  selection: what graphql-core's value completion ends up doing after five type checks. So
  does each item of a list of such objects (`edges`, `amenities`, `photos` ...), and a leaf
  value returned by a resolver is serialised without the NonNull/leaf dispatch.
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
from collections.abc import Awaitable
from functools import partial
from typing import Any

from graphene.types.resolver import attr_resolver, dict_or_attr_resolver, dict_resolver
from graphql import (
    ExecutionContext,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLString,
    Undefined,
    get_named_type,
    is_leaf_type,
    located_error,
)
from graphql.execution.execute import get_field_def
from graphql.execution.values import get_argument_values
from graphql.language import FieldNode
from graphql.pyutils import Path, is_iterable
from graphql.pyutils import is_awaitable as graphql_is_awaitable

DEFAULT_RESOLVERS = (dict_or_attr_resolver, attr_resolver, dict_resolver)
# Values read as they are: a property or a lazy object could need the general path.
PLAIN_VALUES = frozenset((str, int, float, bool, decimal.Decimal, uuid.UUID, dt.date, dt.datetime))
# Exactly these types (not subclasses) have no __await__: nothing to check for them.
NEVER_AWAITED = frozenset((type(None), dict, list, tuple, *PLAIN_VALUES))

# How a default resolver reads its value: getattr, dict.get, or dict.get for a dict only.
ATTR, DICT, DICT_OR_ATTR = attr_resolver, dict_resolver, dict_or_attr_resolver
# Built-in scalars whose serialisation of exactly this Python type is the value itself.
SERIALISED_AS_IS: dict[Any, type] = {GraphQLString: str, GraphQLBoolean: bool}

# Plans of a field: how execute_fields answers it (see _plan).
PLAIN, OBJECT, GENERAL = "plain", "object", "general"

# id(field definition) -> (the definition, kept alive; its plain_field(...) or None)
_plain_fields: dict[int, tuple[GraphQLField, tuple | None]] = {}
# id(field definition) -> (the definition, kept alive; its object_field(...) or None)
_object_fields: dict[int, tuple[GraphQLField, tuple | None]] = {}


def _default_read(field_def: GraphQLField) -> tuple | None:
    """(attname, default, resolver) when `field_def` is read by graphene's default resolver
    and takes no arguments, else None."""
    resolve = field_def.resolve
    if (
        isinstance(resolve, partial)
        and resolve.func in DEFAULT_RESOLVERS
        and len(resolve.args) == 2
        and not resolve.keywords
        and not field_def.args
    ):
        attname, default = resolve.args
        return attname, default, resolve.func
    return None


def plain_field(field_def: GraphQLField) -> tuple | None:
    """(attname, default, leaf type, resolver, the Python type serialised as is or None) when
    `field_def` is a plain field, else None."""
    known = _plain_fields.get(id(field_def))
    if known is not None and known[0] is field_def:
        return known[1]
    read = _default_read(field_def)
    plain = None
    leaf_type = get_named_type(field_def.type)
    if read is not None and is_leaf_type(leaf_type):
        attname, default, resolver = read
        plain = (attname, default, leaf_type, resolver, SERIALISED_AS_IS.get(leaf_type))
    _plain_fields[id(field_def)] = (field_def, plain)
    return plain


def object_field(field_def: GraphQLField) -> tuple | None:
    """(attname, default, resolver, object type) when `field_def` is read by a default
    resolver without arguments and its type is an object type (or a non-null one) without
    `is_type_of`, else None."""
    known = _object_fields.get(id(field_def))
    if known is not None and known[0] is field_def:
        return known[1]
    read = _default_read(field_def)
    field_type = field_def.type
    object_type = field_type.of_type if isinstance(field_type, GraphQLNonNull) else field_type
    found = None
    if (
        read is not None
        and isinstance(object_type, GraphQLObjectType)
        and object_type.is_type_of is None
    ):
        found = (*read, object_type)
    _object_fields[id(field_def)] = (field_def, found)
    return found


def _reads_by_get(resolver: Any) -> tuple[bool, bool]:
    """Whether graphene's default `resolver` reads with `.get` (rather than getattr) a dict
    source and any other source."""
    return resolver is not ATTR, resolver is DICT


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
        # (parent type, id(field node)) -> (the node, kept alive; its definition; its
        # arguments when they can be shared): see execute_field
        self._fields: dict[tuple, tuple[FieldNode, GraphQLField | None, dict | None]] = {}

    def _plan(
        self, parent_type: GraphQLObjectType, fields: dict[str, list[FieldNode]]
    ) -> list[tuple]:
        """(response name, field nodes, PLAIN/OBJECT/GENERAL, plain_field(...) or
        (*object_field(...), the field's type) or None, whether a dict source and any other
        source are read with `.get`: see _reads_by_get) for each field of a selection.
        graphql-core collects a selection once per execution (collect_subfields keeps the same
        dict for every object of a list), so the plan is made once too."""
        known = self._plans.get(id(fields))
        if known is not None and known[0] is fields:
            return known[1]
        plan: list[tuple] = []
        for response_name, field_nodes in fields.items():
            entry: tuple = (response_name, field_nodes, GENERAL, None, False, False)
            field_def = None
            if self.middleware_manager is None:
                field_def = get_field_def(self.schema, parent_type, field_nodes[0])
            if field_def:
                plain = plain_field(field_def)
                found = None if plain else object_field(field_def)
                if plain:
                    entry = (response_name, field_nodes, PLAIN, plain, *_reads_by_get(plain[3]))
                elif found:
                    how = (*found, field_def.type)
                    entry = (response_name, field_nodes, OBJECT, how, *_reads_by_get(found[2]))
            plan.append(entry)
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
        plain_answers = 0
        is_dict = isinstance(source_value, dict)
        for response_name, field_nodes, kind, how, get_dict, get_other in self._plan(
            parent_type, fields
        ):
            if kind is PLAIN:
                attname, default, leaf_type, _resolver, as_is = how
                try:  # graphene's default resolver, without its two calls
                    if get_dict if is_dict else get_other:
                        value = source_value.get(attname, default)
                    else:
                        value = getattr(source_value, attname, default)
                    if type(value) is as_is:
                        plain_answers += 1
                        results[response_name] = value
                        continue
                    if type(value) in PLAIN_VALUES:
                        serialized = leaf_type.serialize(value)
                        if serialized is not None and serialized is not Undefined:
                            plain_answers += 1
                            results[response_name] = serialized
                            continue
                except Exception:  # noqa: BLE001, S110 - the general path reports it
                    pass
            elif kind is OBJECT:
                attname, default, _resolver, object_type, return_type = how
                try:
                    if get_dict if is_dict else get_other:
                        value = source_value.get(attname, default)
                    else:
                        value = getattr(source_value, attname, default)
                except Exception:  # noqa: BLE001 - the general path reports it
                    value = None
                if (
                    value is not None
                    and value is not Undefined
                    and not isinstance(value, Exception)
                    and not is_awaitable(value)
                ):
                    # What execute_field -> complete_value do with this value and type.
                    field_path = Path(path, response_name, parent_type.name)
                    result = self._complete_object(
                        object_type, return_type, field_nodes, field_path, value
                    )
                    results[response_name] = result
                    if is_awaitable(result):
                        awaited.append(response_name)
                    continue
            field_path = Path(path, response_name, parent_type.name)
            result = self.execute_field(parent_type, source_value, field_nodes, field_path)
            if result is not Undefined:
                results[response_name] = result
                if is_awaitable(result):
                    awaited.append(response_name)
        self.plain_answers += plain_answers
        if awaited:  # as graphql-core (no resolver of this API is async)
            return _gathered(results, awaited)
        return results

    def _field(
        self, parent_type: GraphQLObjectType, field_node: FieldNode
    ) -> tuple[GraphQLField | None, dict | None]:
        """A field's definition and its arguments, worked out once per execution: they
        depend only on the field node and the execution's variables. The arguments are
        shared only when every value is immutable (a resolver gets them as keywords, but a
        list it was given could be changed); None when they raise (execute_field then
        raises it again, where graphql-core reports it)."""
        key = (parent_type, id(field_node))
        known = self._fields.get(key)
        if known is not None and known[0] is field_node:
            return known[1], known[2]
        field_def = get_field_def(self.schema, parent_type, field_node)
        args = None
        if field_def:
            try:
                args = get_argument_values(field_def, field_node, self.variable_values)
            except Exception:  # noqa: BLE001 - raised again (and reported) per field
                args = None
            if args is not None and not all(
                value is None or type(value) in PLAIN_VALUES for value in args.values()
            ):
                args = None
        self._fields[key] = (field_node, field_def, args)
        return field_def, args

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_nodes: list[FieldNode],
        path: Path,
    ) -> Any:
        """graphql-core's execute_field, with the field's definition and arguments looked up
        once per execution (see _field) rather than once per object."""
        field_def, shared_args = self._field(parent_type, field_nodes[0])
        if not field_def:
            return Undefined

        return_type = field_def.type
        resolve_fn = field_def.resolve or self.field_resolver

        if self.middleware_manager:
            resolve_fn = self.middleware_manager.get_field_resolver(resolve_fn)

        info = self.build_resolve_info(field_def, field_nodes, parent_type, path)

        try:
            args = shared_args
            if args is None:
                args = get_argument_values(field_def, field_nodes[0], self.variable_values)

            result = resolve_fn(source, info, **args)

            if self.is_awaitable(result):
                return self._completed_when_awaited(result, return_type, field_nodes, info, path)

            completed = self.complete_value(return_type, field_nodes, info, path, result)
            if self.is_awaitable(completed):
                return self._located(completed, field_nodes, return_type, path)
            return completed
        except Exception as raw_error:
            error = located_error(raw_error, field_nodes, path.as_list())
            self.handle_field_error(error, return_type, path)
            return None

    def _complete_object(
        self,
        object_type: GraphQLObjectType,
        return_type: GraphQLOutputType,
        field_nodes: list[FieldNode],
        path: Path,
        value: Any,
    ) -> Any:
        """execute_field's completion of `value` (not null, not an error, not awaitable) for
        a field of `return_type`, an object type without is_type_of or a non-null one: its
        selection, with errors located and propagated (or nulled) the same way."""
        try:
            subfields = self.collect_subfields(object_type, field_nodes)
            completed = self.execute_fields(object_type, value, path, subfields)
            if is_awaitable(completed):
                return self._located(completed, field_nodes, return_type, path)
            return completed
        except Exception as raw_error:
            error = located_error(raw_error, field_nodes, path.as_list())
            self.handle_field_error(error, return_type, path)
            return None

    async def _completed_when_awaited(
        self,
        result: Awaitable,
        return_type: GraphQLOutputType,
        field_nodes: list[FieldNode],
        info: GraphQLResolveInfo,
        path: Path,
    ) -> Any:
        """graphql-core's completion of an awaited field or list item, errors located at
        `path`."""
        try:
            completed = self.complete_value(return_type, field_nodes, info, path, await result)
            if self.is_awaitable(completed):
                return await completed
            return completed
        except Exception as raw_error:
            error = located_error(raw_error, field_nodes, path.as_list())
            self.handle_field_error(error, return_type, path)
            return None

    async def _located(
        self,
        completed: Awaitable,
        field_nodes: list[FieldNode],
        return_type: GraphQLOutputType,
        path: Path,
    ) -> Any:
        """graphql-core's await of a completed value, errors located at `path`."""
        try:
            return await completed
        except Exception as raw_error:
            error = located_error(raw_error, field_nodes, path.as_list())
            self.handle_field_error(error, return_type, path)
            return None

    def complete_value(
        self,
        return_type: GraphQLOutputType,
        field_nodes: list[FieldNode],
        info: GraphQLResolveInfo,
        path: Path,
        result: Any,
    ) -> Any:
        if result is not None and result is not Undefined and not isinstance(result, Exception):
            inner = return_type.of_type if isinstance(return_type, GraphQLNonNull) else return_type
            if isinstance(inner, GraphQLObjectType):
                if inner.is_type_of is None:
                    # What complete_value -> complete_object_value reach for such an object;
                    # the result is a dict (or an awaitable of one), never null.
                    subfields = self.collect_subfields(inner, field_nodes)
                    return self.execute_fields(inner, result, path, subfields)
            elif isinstance(inner, GraphQLList):
                # complete_value's dispatch to it (a list or an awaitable, never null)
                return self.complete_list_value(inner, field_nodes, info, path, result)
            elif isinstance(inner, GraphQLScalarType | GraphQLEnumType):
                serialized = inner.serialize(result)
                if serialized is not None and serialized is not Undefined:
                    return serialized
                # otherwise graphql-core's own path raises its error for it
        return super().complete_value(return_type, field_nodes, info, path, result)

    def complete_list_value(
        self,
        return_type: GraphQLList[GraphQLOutputType],
        field_nodes: list[FieldNode],
        info: GraphQLResolveInfo,
        path: Path,
        result: Any,
    ) -> Any:
        """graphql-core's list completion; an item of a list of objects without is_type_of
        (not null, not an error, not awaitable) goes straight to the object's selection."""
        item_type = return_type.of_type
        object_type = item_type.of_type if isinstance(item_type, GraphQLNonNull) else item_type
        if not (
            isinstance(object_type, GraphQLObjectType)
            and object_type.is_type_of is None
            and is_iterable(result)
        ):
            return super().complete_list_value(return_type, field_nodes, info, path, result)
        completed_results: list[Any] = []
        awaitable_indices: list[int] = []
        for index, item in enumerate(result):
            item_path = path.add_key(index, None)
            completed_item: Any
            if (
                item is None
                or item is Undefined
                or isinstance(item, Exception)
                or is_awaitable(item)
            ):
                completed_item = self._complete_item(item_type, field_nodes, info, item_path, item)
            else:
                completed_item = self._complete_object(
                    object_type, item_type, field_nodes, item_path, item
                )
            if is_awaitable(completed_item):
                awaitable_indices.append(index)
            completed_results.append(completed_item)
        if not awaitable_indices:
            return completed_results
        return _gathered_items(completed_results, awaitable_indices)

    def _complete_item(
        self,
        item_type: GraphQLOutputType,
        field_nodes: list[FieldNode],
        info: GraphQLResolveInfo,
        item_path: Path,
        item: Any,
    ) -> Any:
        """One item of graphql-core's complete_list_value, as it completes it."""
        if is_awaitable(item):
            return self._completed_when_awaited(item, item_type, field_nodes, info, item_path)
        try:
            completed_item = self.complete_value(item_type, field_nodes, info, item_path, item)
            if is_awaitable(completed_item):
                return self._located(completed_item, field_nodes, item_type, item_path)
            return completed_item
        except Exception as raw_error:
            error = located_error(raw_error, field_nodes, item_path.as_list())
            self.handle_field_error(error, item_type, item_path)
            return None


async def _gathered_items(results: list[Any], indices: list[int]) -> list[Any]:
    for index, value in zip(indices, await gather(*(results[i] for i in indices)), strict=True):
        results[index] = value
    return results
