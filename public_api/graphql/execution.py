"""A cheaper way through plain fields, with the same answers.

graphql-core executes every field the same way: it builds a ResolveInfo, reads the field's
arguments, calls the resolver, checks whether the result is awaitable and dispatches on the
return type before serialising. A page of 20 listings with their host, amenities, photos and
reviews is ~800 fields, ~640 of them plain attributes (`title`, `city`, `slug` ...): that
bookkeeping was the largest cost of the listings page (profile in issue #13).

`PlainFieldsExecutionContext` answers a plain field directly: a field without arguments whose
resolver is graphene's default (read the attribute, or the key of a dict) and whose type is a
scalar or enum, when no field middleware is configured and the value read is an ordinary
Python value (str, int, Decimal, UUID, date ...) that the type serialises without error.
Anything else (null, a value to await, a serialisation error, a custom resolver, objects and
lists) takes graphql-core's own path, so errors, nulls and their paths are reported exactly as
before.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from functools import partial
from typing import Any

from graphene.types.resolver import attr_resolver, dict_or_attr_resolver, dict_resolver
from graphql import (
    ExecutionContext,
    GraphQLField,
    GraphQLObjectType,
    Undefined,
    get_named_type,
    is_leaf_type,
)
from graphql.execution.execute import get_field_def
from graphql.language import FieldNode
from graphql.pyutils import Path

DEFAULT_RESOLVERS = (dict_or_attr_resolver, attr_resolver, dict_resolver)
# Values read as they are: a property or a lazy object could need the general path.
PLAIN_VALUES = frozenset((str, int, float, bool, decimal.Decimal, uuid.UUID, dt.date, dt.datetime))

# id(field definition) -> (the definition, kept alive; (attname, default, leaf type) or None)
_plain_fields: dict[int, tuple[GraphQLField, tuple | None]] = {}


def plain_field(field_def: GraphQLField) -> tuple | None:
    """(attribute name, default value, leaf type) when `field_def` is a plain field, else None."""
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


class PlainFieldsExecutionContext(ExecutionContext):
    plain_answers = 0  # how many fields took the direct path (for tests)

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_nodes: list[FieldNode],
        path: Path,
    ) -> Any:
        if self.middleware_manager is None:
            field_def = get_field_def(self.schema, parent_type, field_nodes[0])
            plain = plain_field(field_def) if field_def else None
            if plain is not None:
                attname, default, leaf_type, resolver = plain
                try:
                    value = resolver(attname, default, source, None)
                    if type(value) in PLAIN_VALUES:
                        serialized = leaf_type.serialize(value)
                        if serialized is not None and serialized is not Undefined:
                            self.plain_answers += 1
                            return serialized
                except Exception:  # noqa: BLE001, S110 - the general path reports it
                    pass
        return super().execute_field(parent_type, source, field_nodes, path)
